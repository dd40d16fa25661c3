// The rule-set part of `VerifyLog` (engine/audit/verify.h), private to it: the
// `rulesets` family is content-addressed, every `ruleset.activated` event has
// its sources stored, every derived event names the set active where it
// stands, and meta `ruleset` (and `ruleset_limits`) name the last set
// activated (and the cascade limits it recorded). A
// replay depends on all three to apply the rule set that was active at each
// point of the log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/log/event_log.h"

namespace keel {

class RuleSetVerifier {
 public:
  // Problems are appended to `*problems`, each naming its seq or key.
  RuleSetVerifier(const EventLog& log, std::vector<std::string>* problems) : log_(log), problems_(*problems) {}

  // Called with every decoded event, in log order.
  void OnEvent(uint64_t seq, const Event& event);
  // Called after the last event. Returns an error only when the log cannot be read.
  Status Finish();

 private:
  struct Activation {
    uint64_t seq;
    std::string hash;
    CascadeLimits limits;  // data.limits, or the defaults
  };

  void Problem(std::string text) { problems_.push_back(std::move(text)); }
  void CheckDerivedUnderActiveSet(uint64_t seq, const Event& event);
  Status CheckContentAddresses();
  Status CheckActiveRuleSetKey();
  Status CheckActiveLimitsKey();

  const EventLog& log_;
  std::vector<std::string>& problems_;
  std::optional<Activation> last_activation_;
  Status read_error_;  // from OnEvent, which cannot return one
};

}  // namespace keel
