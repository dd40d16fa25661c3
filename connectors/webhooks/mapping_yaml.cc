#include "connectors/webhooks/mapping_yaml.h"

#include <charconv>
#include <cstdlib>

namespace keel::webhooks {

FilePlace PlaceOf(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

namespace {

bool Plain(const YAML::Node& node) { return node.Tag() == "?"; }

bool IsNullText(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

std::optional<bool> BoolOf(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

std::optional<nlohmann::json> NumberOf(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t i;
  auto [end, ec] = std::from_chars(s.data() + (s[0] == '+' ? 1 : 0), s.data() + s.size(), i);
  if (ec == std::errc() && end == s.data() + s.size()) return nlohmann::json(i);
  std::string text(s);
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')) return std::nullopt;
  }
  char* stop = nullptr;
  double d = std::strtod(text.c_str(), &stop);
  if (stop != text.c_str() + text.size() || text.find_first_of("0123456789") == std::string::npos) return std::nullopt;
  return nlohmann::json(d);
}

std::string_view LineOf(std::string_view text, int line) {  // 1-based
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  size_t end = text.find('\n', start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

}  // namespace

bool IsTextScalar(const YAML::Node& node) {
  if (!node.IsScalar()) return false;
  if (!Plain(node)) return true;
  const std::string& s = node.Scalar();
  return !IsNullText(s) && !BoolOf(s) && !NumberOf(s);
}

nlohmann::json ScalarJson(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  if (!node.IsScalar()) return nullptr;
  const std::string& s = node.Scalar();
  if (!Plain(node)) return s;
  if (IsNullText(s)) return nullptr;
  if (std::optional<bool> b = BoolOf(s)) return *b;
  if (std::optional<nlohmann::json> n = NumberOf(s)) return *n;
  return s;
}

nlohmann::json YamlToJson(const YAML::Node& node) {
  if (node.IsSequence()) {
    nlohmann::json list = nlohmann::json::array();
    for (const YAML::Node& item : node) list.push_back(YamlToJson(item));
    return list;
  }
  if (node.IsMap()) {
    nlohmann::json map = nlohmann::json::object();
    for (auto it = node.begin(); it != node.end(); ++it) map[it->first.Scalar()] = YamlToJson(it->second);
    return map;
  }
  return ScalarJson(node);
}

std::string Describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  nlohmann::json j = ScalarJson(node);
  if (j.is_string()) return "a string";
  if (j.is_boolean()) return "a bool";
  if (j.is_number()) return "a number";
  return "null";
}

FilePlace PlaceInScalar(std::string_view file_text, const YAML::Node& node, int line, int col) {
  FilePlace start = PlaceOf(node);
  if (start.line == 0) return start;
  std::string_view first = LineOf(file_text, start.line);
  size_t byte = static_cast<size_t>(start.col - 1);  // marks count bytes
  char opener = byte < first.size() ? first[byte] : ' ';
  if (opener == '|' || opener == '>') {
    // A block scalar: its text starts on the next line, at the block's indentation.
    std::string_view content = LineOf(file_text, start.line + 1);
    int indent = static_cast<int>(content.find_first_not_of(' '));
    if (indent < 0) indent = 0;
    return {start.line + line, indent + col};
  }
  int offset = (opener == '"' || opener == '\'') ? 1 : 0;
  if (line <= 1) return {start.line, start.col + offset + col - 1};
  return {start.line + line - 1, col};
}

std::string AtPlace(std::string_view file, FilePlace place, std::string_view message) {
  std::string out(file);
  if (place.line > 0) out += ":" + std::to_string(place.line) + ":" + std::to_string(place.col);
  out += ": ";
  out += message;
  return out;
}

}  // namespace keel::webhooks
