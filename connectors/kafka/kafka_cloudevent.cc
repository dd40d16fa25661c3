#include "connectors/kafka/kafka_cloudevent.h"

#include <set>

#include <nlohmann/json.hpp>

#include "engine/canonical_json.h"

namespace keel {
namespace {

constexpr std::string_view kAttributePrefix = "ce_";

}  // namespace

bool IsBinaryCloudEvent(const KafkaHeaders& headers) {
  for (const auto& [name, value] : headers) {
    if (name == "ce_specversion") return true;
  }
  return false;
}

Result<std::string> StructuredFromBinary(const KafkaHeaders& headers, std::string_view value, std::string_view key) {
  std::string json = "{";
  std::set<std::string_view> seen;
  for (const auto& [name, text] : headers) {
    if (!name.starts_with(kAttributePrefix)) continue;
    std::string_view attribute = std::string_view(name).substr(kAttributePrefix.size());
    if (attribute.empty() || attribute == "data") {
      return Status::InvalidArgument("header '" + name + "' is not a CloudEvents attribute");
    }
    if (!seen.insert(attribute).second) return Status::InvalidArgument("header '" + name + "' is given twice");
    if (json.size() > 1) json.push_back(',');
    AppendJsonString(attribute, &json);
    json.push_back(':');
    AppendJsonString(text, &json);
  }
  if (!seen.count("workspace") && !key.empty()) {
    json.append(",\"workspace\":");
    AppendJsonString(key, &json);
  }
  if (!value.empty()) {
    // Checked as one whole JSON value before it is spliced in, so a value
    // cannot smuggle attributes of its own into the event.
    if (!nlohmann::json::accept(value)) {
      return Status::InvalidArgument("binary-mode message: the value (the event's data) is not JSON");
    }
    json.append(",\"data\":").append(value);
  }
  json.push_back('}');
  return json;
}

}  // namespace keel
