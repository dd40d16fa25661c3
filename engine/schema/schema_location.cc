#include "engine/schema/schema_location.h"

#include <vector>

namespace keel::schema {
namespace {

std::string EscapeToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string UnescapeToken(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[++i] == '0' ? '~' : '/';
    } else {
      out += token[i];
    }
  }
  return out;
}

// An array index in a JSON pointer: digits, no sign, short enough not to overflow.
bool ParseIndex(std::string_view token, size_t* index) {
  if (token.empty() || token.size() > 9) return false;
  *index = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
    *index = *index * 10 + (c - '0');
  }
  return true;
}

// "events/../entity.schema.json" -> "entity.schema.json"; false if it leaves the folder.
bool NormalizePath(std::string_view path, std::string* out) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    size_t end = path.find('/');
    std::string_view part = path.substr(0, end);
    path = end == std::string_view::npos ? std::string_view() : path.substr(end + 1);
    if (part.empty() || part == ".") continue;
    if (part != "..") {
      parts.push_back(part);
    } else if (parts.empty()) {
      return false;
    } else {
      parts.pop_back();
    }
  }
  out->clear();
  for (std::string_view part : parts) {
    if (!out->empty()) *out += '/';
    *out += part;
  }
  return true;
}

}  // namespace

SchemaLocation SchemaLocation::Child(std::string_view token) const {
  return {file, pointer + "/" + EscapeToken(token)};
}

Result<SchemaLocation> ResolveRef(const std::string& file, std::string_view ref) {
  size_t hash = ref.find('#');
  std::string_view path = ref.substr(0, hash);
  std::string_view fragment = hash == std::string_view::npos ? std::string_view() : ref.substr(hash + 1);
  auto unsupported = [&](const char* why) {
    return Status::InvalidArgument("unsupported $ref '" + std::string(ref) + "': " + why);
  };
  if (path.find(':') != std::string_view::npos) return unsupported("only relative references are supported");
  if (!fragment.empty() && fragment.front() != '/') return unsupported("the fragment must be a JSON pointer");
  if (ref.find('%') != std::string_view::npos) return unsupported("percent-encoding is not supported");
  SchemaLocation target{file, std::string(fragment)};
  if (!path.empty()) {
    size_t slash = file.rfind('/');
    std::string joined = (slash == std::string::npos ? "" : file.substr(0, slash + 1)) + std::string(path);
    if (!NormalizePath(joined, &target.file)) return unsupported("it leaves the schema folder");
  }
  return target;
}

const nlohmann::json* FindInDocument(const nlohmann::json& document, std::string_view pointer) {
  const nlohmann::json* node = &document;
  while (!pointer.empty()) {
    pointer.remove_prefix(1);  // '/'
    size_t end = pointer.find('/');
    std::string token = UnescapeToken(pointer.substr(0, end));
    pointer = end == std::string_view::npos ? std::string_view() : pointer.substr(end);
    if (node->is_object()) {
      auto found = node->find(token);
      if (found == node->end()) return nullptr;
      node = &*found;
    } else if (size_t index; node->is_array() && ParseIndex(token, &index) && index < node->size()) {
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

}  // namespace keel::schema
