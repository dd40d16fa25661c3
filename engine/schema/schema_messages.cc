#include "engine/schema/schema_messages.h"

#include <cstdio>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema/schema_node.h"

namespace keel::schema {
namespace {
constexpr size_t kMaxRenderedChars = 60;
}  // namespace

std::string TypeNames(uint8_t type_bits) {
  static constexpr std::pair<uint8_t, const char*> kNames[] = {
      {kObjectBit, "object"}, {kArrayBit, "array"},     {kStringBit, "string"},
      {kNumberBits, "number"}, {kIntegerBit, "integer"}, {kBooleanBit, "boolean"},
      {kNullBit, "null"}};
  std::vector<const char*> names;
  for (auto [bits, name] : kNames) {
    if ((type_bits & bits) == bits) {
      names.push_back(name);
      type_bits &= ~bits;
    }
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string GotType(uint8_t type_bit) { return TypeNames(type_bit & kNumberBits ? kNumberBits : type_bit); }

void AppendEscaped(std::string_view text, char quote, std::string* out) {
  size_t shown = 0;
  for (unsigned char c : text) {
    bool starts_character = (c & 0xC0) != 0x80;
    if (shown >= kMaxRenderedChars && starts_character) {
      *out += "...";
      return;
    }
    shown += starts_character;
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      *out += escaped;
    } else {
      if (c == static_cast<unsigned char>(quote)) *out += '\\';
      *out += static_cast<char>(c);
    }
  }
}

std::string Quoted(std::string_view text) {
  std::string out = "'";
  AppendEscaped(text, '\'', &out);
  out += "'";
  return out;
}

std::string Counted(uint64_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

std::string NumberText(double number) {
  std::string text = nlohmann::json(number).dump();
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  return text;
}

}  // namespace keel::schema
