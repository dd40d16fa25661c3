#include "engine/audit/verify_rulesets.h"

#include "engine/canonical_json.h"
#include "engine/log_format.h"
#include "engine/sha256.h"

namespace keel {

using namespace log_format;

void RuleSetVerifier::OnEvent(uint64_t seq, const Event& event) {
  if (event.is_derived()) {
    CheckDerivedUnderActiveSet(seq, event);
    return;
  }
  if (event.type != "ruleset.activated") return;
  std::string where = "seq " + std::to_string(seq) + ": ruleset.activated ";
  std::string_view raw_hash = FindCanonicalMember(event.data(), "hash");
  if (!IsJsonString(raw_hash)) {
    Problem(where + "has no data.hash naming the rule set");
    return;
  }
  std::string hash = DecodeJsonString(raw_hash);
  CascadeLimits limits;
  if (std::string_view raw_limits = FindCanonicalMember(event.data(), "limits"); !raw_limits.empty()) {
    Result<CascadeLimits> parsed = ParseCascadeLimits(raw_limits);
    if (!parsed.ok()) {
      Problem(where + "has unreadable data.limits: " + parsed.status().message());
    } else {
      limits = *parsed;
    }
  }
  last_activation_ = Activation{seq, hash, limits};
  auto sources = log_.GetRaw(kRulesets, hash);
  if (sources.ok()) return;
  if (sources.status().code() == StatusCode::kNotFound) {
    Problem(where + "names rule set " + hash + ", whose sources are not stored in rulesets");
  } else if (read_error_.ok()) {
    read_error_ = sources.status();
  }
}

// A derived event names the rule set that made it; a replay re-derives it
// with the set active at its place in the log, so the two must agree.
void RuleSetVerifier::CheckDerivedUnderActiveSet(uint64_t seq, const Event& event) {
  std::string where = "seq " + std::to_string(seq) + ": " + event.type + " derived by rule " + event.rule_id;
  if (!last_activation_) {
    Problem(where + " names rule set " + event.ruleset_hash + ", but no rule set was active yet");
  } else if (event.ruleset_hash != last_activation_->hash) {
    Problem(where + " names rule set " + event.ruleset_hash + ", but the set active there (seq " +
            std::to_string(last_activation_->seq) + ") is " + last_activation_->hash);
  }
}

Status RuleSetVerifier::Finish() {
  KEEL_RETURN_IF_ERROR(read_error_);
  KEEL_RETURN_IF_ERROR(CheckContentAddresses());
  KEEL_RETURN_IF_ERROR(CheckActiveRuleSetKey());
  return CheckActiveLimitsKey();
}

// A stored set whose bytes changed would make a replay apply other rules than
// the ones that ran, under the same hash.
Status RuleSetVerifier::CheckContentAddresses() {
  return log_.ScanColumnFamily(kRulesets, [&](std::string_view key, std::string_view value) {
    std::string actual = HashToHex(Sha256(value));
    if (actual != key) {
      Problem("rulesets: the sources stored under key " + JsonQuote(key) + " have SHA-256 " + actual +
              ", not their key");
    }
    return true;
  });
}

Status RuleSetVerifier::CheckActiveRuleSetKey() {
  auto stored = log_.GetRaw(kMeta, kMetaRuleSet);
  if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
  std::string key = "meta: key '" + std::string(kMetaRuleSet) + "' ";
  if (!stored.ok()) {
    if (last_activation_) {
      Problem(key + "is absent, but seq " + std::to_string(last_activation_->seq) + " activated rule set " +
              last_activation_->hash);
    }
    return Status::OK();
  }
  if (!last_activation_) {
    Problem(key + "names rule set " + JsonQuote(*stored) + ", but no ruleset.activated event exists");
  } else if (*stored != last_activation_->hash) {
    Problem(key + "names rule set " + JsonQuote(*stored) + ", but the last ruleset.activated (seq " +
            std::to_string(last_activation_->seq) + ") names " + last_activation_->hash);
  }
  return Status::OK();
}

// `keel ingest` continues under the limits in meta, a replay derives under
// the ones in the event: they must agree. Absent means the defaults, as in
// logs written before limits were recorded.
Status RuleSetVerifier::CheckActiveLimitsKey() {
  auto stored = log_.GetRaw(kMeta, kMetaRuleSetLimits);
  if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
  std::string key = "meta: key '" + std::string(kMetaRuleSetLimits) + "' ";
  CascadeLimits limits;
  if (stored.ok()) {
    Result<CascadeLimits> parsed = ParseCascadeLimits(*stored);
    if (!parsed.ok()) {
      Problem(key + "is unreadable: " + parsed.status().message());
      return Status::OK();
    }
    limits = *parsed;
  }
  CascadeLimits expected = last_activation_ ? last_activation_->limits : CascadeLimits();
  if (limits != expected) {
    Problem(key + "holds " + CascadeLimitsJson(limits) + ", but the last ruleset.activated" +
            (last_activation_ ? " (seq " + std::to_string(last_activation_->seq) + ")" : std::string()) +
            " recorded " + CascadeLimitsJson(expected));
  }
  return Status::OK();
}

}  // namespace keel
