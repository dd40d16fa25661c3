#include "rules/react/ruleset_store.h"

#include <nlohmann/json.hpp>

#include "engine/json_time.h"

namespace keel::rules {

std::string SerializeRuleSetSources(const RuleSetSources& sources) {
  std::string out;
  for (const auto& [key, bytes] : sources) {
    out.append(key).push_back('\0');
    uint64_t size = bytes.size();
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(size >> (56 - 8 * i)));
    out.append(bytes);
  }
  return out;
}

Result<RuleSetSources> ParseRuleSetSources(std::string_view bytes) {
  RuleSetSources sources;
  size_t at = 0;
  while (at < bytes.size()) {
    size_t nul = bytes.find('\0', at);
    if (nul == std::string_view::npos || nul + 9 > bytes.size()) {
      return Status::Corruption("stored rule-set sources are truncated at byte " + std::to_string(at));
    }
    std::string key(bytes.substr(at, nul - at));
    uint64_t size = 0;
    for (int i = 0; i < 8; ++i) size = (size << 8) | static_cast<uint8_t>(bytes[nul + 1 + i]);
    at = nul + 9;
    if (size > bytes.size() - at) {
      return Status::Corruption("stored rule-set file '" + key + "' is truncated");
    }
    if (!sources.emplace(key, std::string(bytes.substr(at, size))).second) {
      return Status::Corruption("stored rule-set file '" + key + "' appears twice");
    }
    at += size;
  }
  return sources;
}

Result<uint64_t> ActivateRuleSet(EventLog& log, const RuleSet& rules, std::string time,
                                 std::optional<CascadeLimits> limits) {
  RuleSetActivation activation;
  activation.hash = rules.hash();
  activation.sources = SerializeRuleSetSources(rules.sources());
  for (const Rule& rule : rules.rules()) activation.rule_ids.push_back(rule.id);
  for (const auto& [file, bytes] : rules.sources()) activation.files.push_back(file);
  activation.time = std::move(time);
  activation.limits = limits;
  return log.ActivateRuleSet(activation);
}

Result<RuleSet> LoadStoredRuleSet(const EventLog& log, std::string_view hash, const LoadOptions& options) {
  KEEL_ASSIGN_OR_RETURN(std::string bytes, log.RuleSetSources(hash));
  KEEL_ASSIGN_OR_RETURN(RuleSetSources sources, ParseRuleSetSources(bytes));
  KEEL_ASSIGN_OR_RETURN(RuleSet rules, RuleSet::LoadFromSources(std::move(sources), options));
  if (rules.hash() != hash) {
    return Status::Corruption("rule set stored under " + std::string(hash) + " has hash " + rules.hash());
  }
  return rules;
}

Result<std::optional<RuleSet>> LoadActiveRuleSet(const EventLog& log) {
  KEEL_ASSIGN_OR_RETURN(std::optional<std::string> hash, log.ActiveRuleSet());
  if (!hash) return std::optional<RuleSet>();
  KEEL_ASSIGN_OR_RETURN(RuleSet rules, LoadStoredRuleSet(log, *hash));
  return std::optional<RuleSet>(std::move(rules));
}

std::optional<std::string> FirstEventTime(std::span<const IngestItem> items, const TimeWindow& window) {
  for (const IngestItem& item : items) {
    nlohmann::json event = nlohmann::json::parse(item.bytes, nullptr, false);
    if (!event.is_object() || !event.contains("time") || !event["time"].is_string()) continue;
    std::string time = event["time"].get<std::string>();
    std::optional<int64_t> micros = TryParseRfc3339Micros(time);
    if (micros && window.Contains(*micros)) return time;
  }
  return std::nullopt;
}

}  // namespace keel::rules
