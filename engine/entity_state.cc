#include "engine/entity_state.h"

#include <algorithm>
#include <charconv>

#include "engine/canonical_json.h"

namespace keel {
namespace {

template <typename Fields>
auto FindField(Fields& fields, std::string_view name) {
  return std::lower_bound(fields.begin(), fields.end(), name,
                          [](const auto& member, std::string_view n) { return member.first < n; });
}

}  // namespace

EntityState EntityState::FromCanonical(std::string_view text) {
  EntityState state;
  CanonicalObjectReader reader(text);
  std::string_view key, value;
  while (reader.Next(&key, &value)) state.fields_.emplace_back(std::string(key), std::string(value));
  return state;
}

std::string EntityState::ToCanonical() const {
  size_t size = 2;
  for (const auto& [name, value] : fields_) size += name.size() + value.size() + 4;
  std::string out;
  out.reserve(size);
  out.push_back('{');
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(fields_[i].first, &out);
    out.push_back(':');
    out.append(fields_[i].second);
  }
  out.push_back('}');
  return out;
}

std::string_view EntityState::Get(std::string_view field) const {
  auto it = FindField(fields_, field);
  if (it == fields_.end() || it->first != field) return {};
  return it->second;
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

void EntityState::Set(std::string_view field, std::string raw_json) {
  auto it = FindField(fields_, field);
  if (it != fields_.end() && it->first == field) {
    it->second = std::move(raw_json);
  } else {
    fields_.emplace(it, std::string(field), std::move(raw_json));
  }
}

void EntityState::SetString(std::string_view field, std::string_view text) { Set(field, JsonQuote(text)); }

void EntityState::Erase(std::string_view field) {
  auto it = FindField(fields_, field);
  if (it != fields_.end() && it->first == field) fields_.erase(it);
}

}  // namespace keel
