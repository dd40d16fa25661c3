#include "rules/ruleset.h"

#include <algorithm>

#include <openssl/evp.h>

#include "rules/ruleset_data.h"

namespace keel::rules {

bool Rule::AppliesTo(std::string_view workspace) const {
  return scope.empty() || std::binary_search(scope.begin(), scope.end(), workspace, std::less<>());
}

const std::string& RuleSet::hash() const { return data_->hash; }
const RuleSetSources& RuleSet::sources() const { return data_->sources; }
std::span<const Rule> RuleSet::rules() const { return data_->rules; }

const Rule* RuleSet::FindRule(std::string_view id) const {
  for (const Rule& rule : data_->rules) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

const TaskTemplate* RuleSet::FindTemplate(std::string_view name) const {
  auto it = data_->templates.find(name);
  return it == data_->templates.end() ? nullptr : it->second.get();
}

std::vector<const TaskTemplate*> RuleSet::templates() const {
  std::vector<const TaskTemplate*> out;
  for (const auto& [name, t] : data_->templates) out.push_back(t.get());
  return out;
}

std::span<const Rule* const> RuleSet::Candidates(std::string_view event_type) const {
  auto it = data_->index.find(event_type);
  if (it == data_->index.end()) return {};
  return it->second;
}

const std::map<std::string, nlohmann::json>& RuleSet::custom_event_types() const { return data_->custom_event_types; }
std::span<const std::string> RuleSet::event_types() const { return data_->event_types; }
const std::vector<Diagnostic>& RuleSet::warnings() const { return data_->warnings; }

std::span<const Rule* const> RuleSet::time_rules() const { return data_->time_rules; }

const cel::BusinessCalendar* RuleSet::CalendarFor(std::string_view workspace) const {
  auto it = data_->calendars.find(workspace);
  if (it == data_->calendars.end()) it = data_->calendars.find(std::string_view("*"));
  return it == data_->calendars.end() ? nullptr : it->second.get();
}

nlohmann::json RuleSet::CustomEventSchema(const std::string& type, const nlohmann::json& data_schema) {
  return {{"$schema", "http://json-schema.org/draft-07/schema#"},
          {"title", type},
          {"allOf",
           {{{"$ref", "../cloudevent.schema.json"}},
            {{"properties", {{"type", {{"const", type}}}, {"data", data_schema}}}}}}};
}

Status RuleSet::RegisterCustomEventTypes(SchemaRegistry& schemas) const {
  for (const auto& [type, data_schema] : custom_event_types()) {
    Status added = schemas.AddType(type, CustomEventSchema(type, data_schema));
    if (!added.ok()) return added.WithContext("custom event type '" + type + "'");
  }
  return Status::OK();
}

std::string RuleSetHash(const RuleSetSources& sources) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  for (const auto& [path, bytes] : sources) {
    EVP_DigestUpdate(context, path.data(), path.size());
    unsigned char header[9] = {0};
    uint64_t size = bytes.size();
    for (int i = 0; i < 8; ++i) header[1 + i] = static_cast<unsigned char>(size >> (56 - 8 * i));
    EVP_DigestUpdate(context, header, sizeof(header));
    EVP_DigestUpdate(context, bytes.data(), bytes.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, digest, &length);
  EVP_MD_CTX_free(context);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string TimeTimerName(const Rule& rule) {
  switch (rule.time->kind) {
    case TimeTrigger::Kind::kDue: return "due:" + rule.id;
    case TimeTrigger::Kind::kOverdue: return "overdue:" + rule.id;
    case TimeTrigger::Kind::kIdle: return "idle:" + rule.id;
    case TimeTrigger::Kind::kSchedule: return "schedule:" + rule.id;
    case TimeTrigger::Kind::kTimer: return rule.time->timer_name;
  }
  return rule.id;
}

}  // namespace keel::rules
