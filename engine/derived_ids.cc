#include "engine/derived_ids.h"

#include "engine/sha256.h"

namespace keel {
namespace {

// The hex digits of SHA-256(32 zero bytes || trigger NUL rule NUL action).
// The 32 zero bytes are ChainHash's empty previous link: derived ids were
// first made with the chain's own hash, and stored ids keep that shape.
std::string CausalHashHex(std::string_view trigger_id, std::string_view rule_id, std::string_view action_path) {
  std::string material;
  material.reserve(trigger_id.size() + rule_id.size() + action_path.size() + 2);
  material.append(trigger_id).push_back('\0');
  material.append(rule_id).push_back('\0');
  material.append(action_path);
  return HashToHex(ChainHash(Hash{}, material));
}

bool IsLowerHex(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

std::string DerivedEventId(std::string_view trigger_id, std::string_view rule_id, std::string_view action_path) {
  return "d-" + CausalHashHex(trigger_id, rule_id, action_path).substr(0, 32);
}

std::string DerivedEntityId(std::string_view prefix, std::string_view trigger_id, std::string_view rule_id,
                            std::string_view action_path) {
  return std::string(prefix) + CausalHashHex(trigger_id, rule_id, action_path).substr(0, 16);
}

std::string TimerFiringId(std::string_view scheduled_by) {
  std::string material("timer.fired\0", 12);
  material.append(scheduled_by);
  return "f-" + HashToHex(Sha256(material)).substr(0, 32);
}

std::string RuleSetActivationId(uint64_t seq, std::string_view ruleset_hash) {
  return "ruleset-" + std::to_string(seq) + "-" + std::string(ruleset_hash.substr(0, 16));
}

bool IsDerivedEventId(std::string_view id) {
  if (id.size() == 34 && (id.starts_with("d-") || id.starts_with("f-"))) return IsLowerHex(id.substr(2));
  constexpr std::string_view kRuleSet = "ruleset-";
  if (!id.starts_with(kRuleSet) || id.size() < kRuleSet.size() + 18) return false;
  std::string_view rest = id.substr(kRuleSet.size());
  std::string_view seq = rest.substr(0, rest.size() - 17);
  return rest[rest.size() - 17] == '-' && IsLowerHex(rest.substr(rest.size() - 16)) && !seq.empty() &&
         seq.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace keel
