// Rule sets, as the engine sees them: a hash, the bytes of their sources
// (content-addressed in the `rulesets` family) and the `ruleset.activated`
// events that say from which point of the log each one applies.
#include "engine/canonical_json.h"
#include "engine/derived_ids.h"
#include "engine/log/event_log_impl.h"
#include "engine/log/pending_batch.h"
#include "engine/log/event_record.h"
#include "engine/json_time.h"
#include "engine/log_format.h"
#include "engine/log/rocksdb_status.h"

namespace keel {
namespace {

using namespace log_format;

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(items[i], &out);
  }
  return out + "]";
}

// The event in canonical form, written directly: every key is ours and
// already in sorted order. `limits` only when they are not the defaults, so
// an activation under the defaults reads as it did before limits were
// recorded (and older logs replay byte for byte).
std::string ActivationEventText(const RuleSetActivation& activation, const CascadeLimits& limits, uint64_t seq) {
  std::string id = RuleSetActivationId(seq, activation.hash);
  std::string text = "{\"actor\":\"system:keel\",\"data\":{";
  if (!activation.files.empty()) text += "\"files\":" + JsonStringArray(activation.files) + ",";
  text += "\"hash\":" + JsonQuote(activation.hash) + ",";
  if (limits != CascadeLimits()) text += "\"limits\":" + CascadeLimitsJson(limits) + ",";
  text += "\"rules\":" + JsonStringArray(activation.rule_ids) + "}";
  text += ",\"id\":" + JsonQuote(id) + ",\"source\":\"keel\",\"specversion\":\"1.0\"";
  text += ",\"subject\":" + JsonQuote("ruleset/" + activation.hash);
  text += ",\"time\":" + JsonQuote(activation.time) + ",\"type\":\"ruleset.activated\"";
  text += ",\"workspace\":" + JsonQuote(kSystemWorkspace) + "}";
  return text;
}

}  // namespace

std::string CascadeLimitsJson(const CascadeLimits& limits) {
  return "{\"max_depth\":" + std::to_string(limits.max_depth) +
         ",\"max_derived\":" + std::to_string(limits.max_derived) + "}";
}

Result<CascadeLimits> ParseCascadeLimits(std::string_view object_text) {
  CascadeLimits limits;
  auto read = [&](std::string_view key, double low, double high, double* value) -> Status {
    std::string_view raw = FindCanonicalMember(object_text, key);
    if (raw.empty()) return Status::OK();  // missing: the default
    if (!ParseJsonNumber(raw, value) || *value != static_cast<double>(static_cast<int64_t>(*value)) ||
        *value < low || *value > high) {
      return Status::Corruption("cascade limit " + std::string(key) + " is " + std::string(raw) +
                                ", not a whole number from " + std::to_string(static_cast<int64_t>(low)) + " to " +
                                std::to_string(static_cast<int64_t>(high)));
    }
    return Status::OK();
  };
  double depth = limits.max_depth, derived = static_cast<double>(limits.max_derived);
  KEEL_RETURN_IF_ERROR(read("max_depth", 1, 1e6, &depth));
  KEEL_RETURN_IF_ERROR(read("max_derived", 1, 1e12, &derived));
  limits.max_depth = static_cast<int>(depth);
  limits.max_derived = static_cast<size_t>(derived);
  return limits;
}

Result<uint64_t> EventLogImpl::ActivateRuleSet(const RuleSetActivation& activation) {
  if (options_.read_only) return Status::FailedPrecondition("the log is open read-only");
  if (!IsSha256Hex(activation.hash)) {
    return Status::InvalidArgument("rule-set hash '" + activation.hash + "' is not 64 lower-case hex digits");
  }
  if (auto time = ParseRfc3339Micros(activation.time); !time.ok()) {
    return time.status().WithContext("rule-set activation time");
  }
  const CascadeLimits limits = activation.limits.value_or(limits_);
  KEEL_ASSIGN_OR_RETURN(std::optional<std::string> active, ActiveRuleSet());
  KEEL_ASSIGN_OR_RETURN(CascadeLimits active_limits, ActiveRuleSetLimits());
  if (active && *active == activation.hash && active_limits == limits) {
    limits_ = limits;
    return uint64_t{0};
  }

  PendingBatch pending = NewBatch();
  auto stored = GetRaw(kRulesets, activation.hash);
  if (stored.ok()) {
    if (*stored != activation.sources) {
      return Status::Corruption("rule set " + activation.hash + " is stored with other sources");
    }
  } else if (stored.status().code() == StatusCode::kNotFound) {
    pending.Put(Family(kRulesets), activation.hash, activation.sources);
  } else {
    return stored.status();
  }
  uint64_t seq = pending.head().seq + 1;
  KEEL_ASSIGN_OR_RETURN(Event event, EventFromCanonical(ActivationEventText(activation, limits, seq)));
  const CascadeLimits previous_limits = limits_;
  limits_ = limits;  // the activation's own cascade runs under them too
  // The new set's rules see their activation (to arm their schedules) when
  // the set is plugged in already, as `keel run` and replays do.
  bool react = reactor_ && reactor_->ruleset_hash() == activation.hash;
  Result<Staged> staged = StageWithEffects(event, {EventOrigin::kInput, std::nullopt, 0, react}, &pending);
  if (!staged.ok() || !staged->refused.ok()) {  // never refused: an activation changes no entity and no timer
    limits_ = previous_limits;
    return staged.ok() ? staged->refused : staged.status();
  }
  pending.Put(Family(kMeta), std::string(kMetaRuleSet), activation.hash);
  pending.Put(Family(kMeta), std::string(kMetaRuleSetLimits), CascadeLimitsJson(limits));
  if (Status written = WritePending(&pending); !written.ok()) {
    limits_ = previous_limits;
    return written;
  }
  return seq;
}

Result<std::optional<std::string>> EventLogImpl::ActiveRuleSet() const {
  auto hash = GetRaw(kMeta, kMetaRuleSet);
  if (hash.ok()) return std::optional<std::string>(std::move(hash).value());
  if (hash.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
  return hash.status();
}

Result<CascadeLimits> EventLogImpl::ActiveRuleSetLimits() const {
  auto stored = GetRaw(kMeta, kMetaRuleSetLimits);
  if (stored.status().code() == StatusCode::kNotFound) return CascadeLimits();
  if (!stored.ok()) return stored.status();
  Result<CascadeLimits> limits = ParseCascadeLimits(*stored);
  if (!limits.ok()) return limits.status().WithContext("meta key '" + std::string(kMetaRuleSetLimits) + "'");
  return limits;
}

Result<std::string> EventLogImpl::RuleSetSources(std::string_view hash) const {
  auto sources = GetRaw(kRulesets, hash);
  if (!sources.ok() && sources.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no rule set " + std::string(hash) + " is stored in this log");
  }
  return sources;
}

}  // namespace keel
