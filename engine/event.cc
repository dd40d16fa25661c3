#include "engine/event.h"

namespace keel {

bool ParseEntityRef(std::string_view text, EntityRef* ref) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return false;
  ref->kind.assign(text.substr(0, slash));
  ref->id.assign(text.substr(slash + 1));
  return true;
}

bool IsEntityKind(std::string_view kind) {
  return kind == "task" || kind == "initiative" || kind == "goal" || kind == "key_result" ||
         kind == "kpi" || kind == "approval";
}

std::string HashToHex(const Hash& hash) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (size_t i = 0; i < hash.size(); ++i) {
    out[2 * i] = kHex[hash[i] >> 4];
    out[2 * i + 1] = kHex[hash[i] & 0xf];
  }
  return out;
}

bool HashFromHex(std::string_view hex, Hash* hash) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < hash->size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*hash)[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

}  // namespace keel
