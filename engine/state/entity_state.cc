#include "engine/state/entity_state.h"

#include <algorithm>
#include <charconv>

#include "engine/canonical_json.h"

namespace keel {

EntityState EntityState::FromCanonical(std::string_view text) {
  EntityState state;
  if (text.size() <= 2) return state;
  state.text_.assign(text);
  CanonicalObjectReader reader(state.text_);
  std::string_view key, value;
  const char* base = state.text_.data();
  while (reader.Next(&key, &value)) {
    state.members_.push_back({static_cast<uint32_t>(key.data() - base), static_cast<uint32_t>(key.size()),
                              static_cast<uint32_t>(value.data() - base), static_cast<uint32_t>(value.size())});
  }
  return state;
}

namespace {

// Field names mostly differ in their first byte: deciding on it inline spares
// most comparisons of a lookup a call to memcmp, which was 10% of `keel
// verify`'s samples (its fold sets three to six fields per event).
bool KeyLess(std::string_view a, std::string_view b) {
  if (!a.empty() && !b.empty() && a[0] != b[0]) {
    return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
  }
  return a < b;
}

// The version's raw JSON as a number; 0 when absent.
int64_t VersionNumber(std::string_view raw) {
  int64_t version = 0;
  std::from_chars(raw.data(), raw.data() + raw.size(), version);
  return version;
}

}  // namespace

size_t EntityState::LowerBound(std::string_view field) const {
  auto it = std::lower_bound(members_.begin(), members_.end(), field,
                             [&](const Member& m, std::string_view f) { return KeyLess(KeyOf(m), f); });
  return static_cast<size_t>(it - members_.begin());
}

void EntityState::Shift(size_t from_index, int64_t delta) {
  for (size_t i = from_index; i < members_.size(); ++i) {
    members_[i].key_begin = static_cast<uint32_t>(members_[i].key_begin + delta);
    members_[i].value_begin = static_cast<uint32_t>(members_[i].value_begin + delta);
  }
}

std::string_view EntityState::Get(std::string_view field) const {
  size_t i = LowerBound(field);
  if (i == members_.size() || KeyOf(members_[i]) != field) return {};
  return std::string_view(text_).substr(members_[i].value_begin, members_[i].value_length);
}

std::string EntityState::GetString(std::string_view field) const {
  std::string_view raw = Get(field);
  return IsJsonString(raw) ? DecodeJsonString(raw) : std::string();
}

int64_t EntityState::version() const { return VersionNumber(Get("version")); }

int64_t EntityState::IncrementVersion() {
  size_t i = LowerBound("version");
  int64_t version = 0;
  if (i < members_.size() && KeyOf(members_[i]) == "version") {
    version = VersionNumber(std::string_view(text_).substr(members_[i].value_begin, members_[i].value_length));
  }
  char text[24];
  auto [end, ec] = std::to_chars(text, text + sizeof text, version + 1);
  SetAt(i, "version", std::string_view(text, static_cast<size_t>(end - text)));
  return version + 1;
}

void EntityState::Set(std::string_view field, std::string_view raw_json) { SetAt(LowerBound(field), field, raw_json); }

void EntityState::SetAt(size_t i, std::string_view field, std::string_view raw_json) {
  if (i < members_.size() && KeyOf(members_[i]) == field) {
    Member& m = members_[i];
    text_.replace(m.value_begin, m.value_length, raw_json);
    int64_t delta = static_cast<int64_t>(raw_json.size()) - m.value_length;
    m.value_length = static_cast<uint32_t>(raw_json.size());
    Shift(i + 1, delta);
    return;
  }
  // A new member: `"field":value` plus the comma that separates it.
  std::string member;
  member.reserve(field.size() + raw_json.size() + 4);
  bool at_end = i == members_.size();
  if (text_.empty()) text_ = "{}";
  if (at_end && !members_.empty()) member.push_back(',');
  size_t key_offset = member.size() + 1;
  member.push_back('"');
  member.append(field);
  member.append("\":");
  member.append(raw_json);
  if (!at_end) member.push_back(',');
  size_t position = at_end ? text_.size() - 1 : members_[i].key_begin - 1;
  text_.insert(position, member);
  Member added{static_cast<uint32_t>(position + key_offset), static_cast<uint32_t>(field.size()),
               static_cast<uint32_t>(position + key_offset + field.size() + 2),
               static_cast<uint32_t>(raw_json.size())};
  members_.insert(members_.begin() + static_cast<std::ptrdiff_t>(i), added);
  Shift(i + 1, static_cast<int64_t>(member.size()));
}

void EntityState::SetString(std::string_view field, std::string_view text) {
  // Reducers set short strings (times, statuses) on every event: quote them
  // on the stack when nothing needs escaping.
  char quoted[64];
  bool plain = text.size() + 2 <= sizeof quoted &&
               std::all_of(text.begin(), text.end(), [](char c) {
                 return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
               });
  if (!plain) {
    Set(field, JsonQuote(text));
    return;
  }
  quoted[0] = '"';
  std::copy(text.begin(), text.end(), quoted + 1);
  quoted[text.size() + 1] = '"';
  Set(field, std::string_view(quoted, text.size() + 2));
}

void EntityState::Erase(std::string_view field) {
  size_t i = LowerBound(field);
  if (i == members_.size() || KeyOf(members_[i]) != field) return;
  if (members_.size() == 1) {
    text_.clear();
    members_.clear();
    return;
  }
  const Member& m = members_[i];
  size_t begin = m.key_begin - 1;  // its opening quote
  size_t end = m.value_begin + m.value_length;
  bool last = i + 1 == members_.size();
  if (last) {
    --begin;  // the comma before it
  } else {
    end = members_[i + 1].key_begin - 1;  // up to the next member, comma included
  }
  text_.erase(begin, end - begin);
  members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(i));
  if (!last) Shift(i, -static_cast<int64_t>(end - begin));
}

void EntityState::Prefetch() const {
  constexpr size_t kLine = 64;
  const char* members = reinterpret_cast<const char*>(members_.data());
  size_t members_bytes = members_.size() * sizeof(Member);
  // A lookup touches the members and the keys near the front of the text;
  // a long state's tail (its links, say) waits for a miss of its own.
  constexpr size_t kMost = 8 * kLine;
  for (size_t offset = 0; offset < std::min(members_bytes, kMost); offset += kLine) {
    __builtin_prefetch(members + offset);
  }
  for (size_t offset = 0; offset < std::min(text_.size(), kMost); offset += kLine) {
    __builtin_prefetch(text_.data() + offset);
  }
}

std::vector<std::pair<std::string_view, std::string_view>> EntityState::fields() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(members_.size());
  for (const Member& m : members_) {
    out.emplace_back(KeyOf(m), std::string_view(text_).substr(m.value_begin, m.value_length));
  }
  return out;
}

}  // namespace keel
