#include "engine/entity_state.h"

#include <charconv>

#include "engine/canonical_json.h"

namespace keel {

EntityState EntityState::FromCanonical(std::string_view text) {
  EntityState state;
  if (text.size() > 2) state.text_.assign(text);
  return state;
}

EntityState::Slot EntityState::Find(std::string_view field) const {
  Slot slot;
  if (text_.empty()) return slot;
  CanonicalObjectReader reader(text_);
  std::string_view key, value;
  while (reader.Next(&key, &value)) {
    size_t member_begin = static_cast<size_t>(key.data() - text_.data()) - 1;  // the opening quote
    if (key < field) continue;
    slot.begin = member_begin;
    if (key == field) {
      slot.found = true;
      slot.end = static_cast<size_t>(value.data() + value.size() - text_.data());
    } else {
      slot.end = member_begin;
    }
    return slot;
  }
  slot.begin = slot.end = text_.size() - 1;  // before the closing brace
  return slot;
}

std::string_view EntityState::Get(std::string_view field) const {
  Slot slot = Find(field);
  if (!slot.found) return {};
  std::string_view member = std::string_view(text_).substr(slot.begin, slot.end - slot.begin);
  return member.substr(field.size() + 3);  // past "field":
}

std::string EntityState::GetString(std::string_view field) const {
  std::string_view raw = Get(field);
  return IsJsonString(raw) ? DecodeJsonString(raw) : std::string();
}

int64_t EntityState::version() const {
  std::string_view raw = Get("version");
  int64_t version = 0;
  std::from_chars(raw.data(), raw.data() + raw.size(), version);
  return version;
}

void EntityState::Set(std::string_view field, std::string_view raw_json) {
  if (text_.empty()) text_ = "{}";
  Slot slot = Find(field);
  if (slot.found) {
    size_t value_begin = slot.begin + field.size() + 3;
    text_.replace(value_begin, slot.end - value_begin, raw_json);
    return;
  }
  std::string member;
  member.reserve(field.size() + raw_json.size() + 4);
  member.push_back('"');
  member.append(field);
  member.append("\":");
  member.append(raw_json);
  bool first = slot.begin == 1;
  bool last = slot.begin == text_.size() - 1;
  if (!first && last) member.insert(member.begin(), ',');
  if (!last) member.push_back(',');
  text_.insert(slot.begin, member);
}

void EntityState::SetString(std::string_view field, std::string_view text) { Set(field, JsonQuote(text)); }

void EntityState::Erase(std::string_view field) {
  Slot slot = Find(field);
  if (!slot.found) return;
  size_t begin = slot.begin, end = slot.end;
  if (end < text_.size() - 1) {
    ++end;  // the comma after it
  } else if (begin > 1) {
    --begin;  // the last member: the comma before it
  }
  text_.erase(begin, end - begin);
  if (text_.size() <= 2) text_.clear();
}

std::vector<std::pair<std::string_view, std::string_view>> EntityState::fields() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  if (text_.empty()) return out;
  CanonicalObjectReader reader(text_);
  std::string_view key, value;
  while (reader.Next(&key, &value)) out.emplace_back(key, value);
  return out;
}

}  // namespace keel
