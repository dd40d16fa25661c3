#include "engine/schema/schema_path.h"

#include "engine/schema/schema_messages.h"

namespace keel::schema {
namespace {

bool IsPlainKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
    if (!plain) return false;
  }
  return true;
}

}  // namespace

std::string JsonPath::ToString() const {
  std::string out;
  for (size_t i = 0; i < depth_ && i < kMaxDepth; ++i) {
    const Segment& segment = segments_[i];
    if (segment.is_index) {
      out += "[" + std::to_string(segment.index) + "]";
    } else if (IsPlainKey(segment.key)) {
      if (!out.empty()) out += '.';
      out += segment.key;
    } else {
      out += "[\"";
      AppendEscaped(segment.key, '"', &out);
      out += "\"]";
    }
  }
  if (depth_ > kMaxDepth) out += "...";
  return out;
}

}  // namespace keel::schema
