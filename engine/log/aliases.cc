#include "engine/log/aliases.h"

#include "engine/canonical_json.h"
#include "engine/log/event_record.h"

namespace keel {
namespace {

constexpr std::string_view kResolvedFrom = "resolvedfrom";

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string StringMember(std::string_view object, std::string_view key) {
  std::string_view raw = FindCanonicalMember(object, key);
  return IsJsonString(raw) ? DecodeJsonString(raw) : std::string();
}

// The canonical event with its subject set to `subject` and `resolvedfrom`
// set to `resolved_from` (removed when empty); members stay in key order.
Result<Event> Rewritten(const Event& event, std::string_view subject, std::string_view resolved_from) {
  std::string text;
  text.reserve(event.canonical.size() + resolved_from.size() + 32);
  text.push_back('{');
  bool first = true;
  auto member = [&](std::string_view key, std::string_view raw_value) {
    if (!first) text.push_back(',');
    first = false;
    AppendJsonString(key, &text);
    text.push_back(':');
    text.append(raw_value);
  };
  const std::string quoted_subject = JsonQuote(subject);
  bool placed = resolved_from.empty();
  auto place_resolved_from = [&] {
    placed = true;
    member(kResolvedFrom, JsonQuote(resolved_from));
  };
  CanonicalObjectReader reader(event.canonical);
  std::string_view key, value;
  while (reader.Next(&key, &value)) {
    if (key == kResolvedFrom) continue;
    if (!placed && key > kResolvedFrom) place_resolved_from();
    member(key, key == "subject" ? std::string_view(quoted_subject) : value);
  }
  if (reader.malformed()) return Status::Corruption("event " + event.id + " is not canonical JSON");
  if (!placed) place_resolved_from();
  text.push_back('}');
  return EventFromCanonical(std::move(text));
}

}  // namespace

std::vector<std::string> AliasNamesOf(const Event& event) {
  std::vector<std::string> names;
  if (!EndsWith(event.type, ".linked")) return names;
  std::string_view data = event.data();
  if (StringMember(data, "relation") != "external") return names;
  std::string target = StringMember(data, "target");
  size_t colon = target.find(':');
  if (colon == std::string::npos || colon == 0) return names;
  std::string remote_id = StringMember(data, "remote_id");
  if (target != event.entity.id) names.push_back(target);
  if (!remote_id.empty()) {
    std::string other = target.substr(0, colon + 1) + remote_id;
    if (other != target && other != event.entity.id) names.push_back(std::move(other));
  }
  return names;
}

std::string ResolvedFrom(const Event& event) {
  // Nearly no event has it: a search for the key's bytes rules it out
  // before the members are walked (the key can also occur inside `data`).
  if (event.canonical.find("\"resolvedfrom\":") == std::string::npos) return std::string();
  return StringMember(event.canonical, kResolvedFrom);
}

bool MayBeAlias(std::string_view entity_id) {
  size_t colon = entity_id.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == entity_id.size()) return false;
  if (entity_id[0] < 'a' || entity_id[0] > 'z') return false;
  for (char c : entity_id.substr(1, colon - 1)) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

Result<Event> SubmittedForm(const Event& event) {
  std::string resolved_from = ResolvedFrom(event);
  if (resolved_from.empty()) return event;
  EntityRef original;
  if (!ParseEntityRef(resolved_from, &original) || original.kind != event.entity.kind) {
    return Status::InvalidArgument("resolvedfrom '" + resolved_from + "' of event '" + event.id +
                                   "' must be an entity of the same kind as its subject '" + event.subject + "'");
  }
  return Rewritten(event, resolved_from, "");
}

Result<Event> ResolvedTo(const Event& submitted, std::string_view subject) {
  return Rewritten(submitted, subject, submitted.subject);
}

bool SameSubmission(const Event& submitted, const Event& stored) {
  if (stored.canonical == submitted.canonical) return true;
  if (ResolvedFrom(stored) != submitted.subject) return false;
  Result<Event> original = SubmittedForm(stored);
  return original.ok() && original->canonical == submitted.canonical;
}

}  // namespace keel
