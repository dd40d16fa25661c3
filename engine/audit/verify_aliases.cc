#include "engine/audit/verify_aliases.h"

#include "engine/log/aliases.h"
#include "engine/log_format.h"

namespace keel {
namespace {

using namespace log_format;

std::string SeqText(uint64_t seq) { return "seq " + std::to_string(seq) + ": "; }

// "acme/clickup:86a1b2c3": an alias key as a person reads it.
std::string DescribeKey(std::string_view key) { return PrintableKey(key.substr(kMetaAliasPrefix.size())); }

}  // namespace

AliasVerifier::AliasVerifier(const EventLog& log, std::vector<std::string>* problems)
    : log_(log), problems_(*problems) {}

void AliasVerifier::OnEvent(uint64_t seq, const Event& event) {
  CheckResolution(seq, event);
  for (const std::string& name : AliasNamesOf(event)) rebuilt_[AliasKey(event.workspace, name)] = event.subject;
}

void AliasVerifier::CheckResolution(uint64_t seq, const Event& event) {
  const std::string resolved_from = ResolvedFrom(event);
  if (event.is_derived()) {
    if (!resolved_from.empty()) {
      Problem(SeqText(seq) + "derived event carries resolvedfrom '" + resolved_from +
              "'; only input events are resolved");
    }
    return;
  }
  std::string submitted = resolved_from.empty() ? event.subject : resolved_from;
  EntityRef entity;
  if (!ParseEntityRef(submitted, &entity)) {
    Problem(SeqText(seq) + "resolvedfrom '" + submitted + "' is not KIND/ID");
    return;
  }
  std::string expected = submitted;
  if (MayBeAlias(entity.id)) {
    auto alias = rebuilt_.find(AliasKey(event.workspace, entity.id));
    EntityRef linked;
    if (alias != rebuilt_.end() && ParseEntityRef(alias->second, &linked) && linked.kind == entity.kind) {
      expected = alias->second;
    }
  }
  if (event.subject == expected && (expected == submitted) == resolved_from.empty()) return;
  if (expected == submitted) {
    Problem(SeqText(seq) + "event '" + event.id + "' was submitted about " + submitted +
            ", which no alias named then, but is stored about " + event.subject);
  } else {
    Problem(SeqText(seq) + "event '" + event.id + "' about " + submitted + " should have been resolved to " +
            expected + " (the alias the links before it give), but is stored about " + event.subject +
            (resolved_from.empty() ? " without resolvedfrom" : ""));
  }
}

Status AliasVerifier::Finish() {
  auto next = rebuilt_.begin();
  auto missing = [&](const auto& entry) {
    Problem("meta: alias " + DescribeKey(entry.first) + " -> " + entry.second + " is missing; the links give it");
  };
  KEEL_RETURN_IF_ERROR(log_.ScanColumnFamily(kMeta, [&](std::string_view key, std::string_view value) {
    if (!key.starts_with(kMetaAliasPrefix)) return true;
    for (; next != rebuilt_.end() && next->first < key; ++next) missing(*next);
    if (next == rebuilt_.end() || next->first != key) {
      Problem("meta: alias " + DescribeKey(key) + " -> " + std::string(value) + " matches no link");
      return true;
    }
    if (value != next->second) {
      Problem("meta: alias " + DescribeKey(key) + " names " + std::string(value) + ", but the links give " +
              next->second);
    }
    ++next;
    return true;
  }));
  for (; next != rebuilt_.end(); ++next) missing(*next);
  return Status::OK();
}

}  // namespace keel
