#include "server/serve_config.h"

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "connectors/kafka/kafka_client.h"
#include "engine/yaml_load.h"

namespace keel::server {
namespace {

class ConfigReader {
 public:
  explicit ConfigReader(std::string path) : path_(std::move(path)) {}

  Status Error(const YAML::Node& node, const std::string& message) const {
    return Status::InvalidArgument(path_ + ":" + std::to_string(Line(node)) + ": " + message);
  }

  static int Line(const YAML::Node& node) { return node.Mark().line + 1; }
  const std::string& path() const { return path_; }

  // yaml-cpp keeps every entry of a map, a repeated key too, and lookups
  // find the first: a setting written twice must not silently lose one.
  Status NotSeenBefore(std::map<std::string, YAML::Node>* seen, const YAML::Node& key, const std::string& what) const {
    auto [first, inserted] = seen->emplace(key.Scalar(), key);
    if (inserted) return Status::OK();
    return Error(key, what + " '" + key.Scalar() + "' is set twice (first on line " +
                          std::to_string(Line(first->second)) + ")");
  }

  Status String(const YAML::Node& node, const std::string& key, std::string* out) const {
    if (!node.IsScalar()) return Error(node, "'" + key + "' must be a string");
    *out = node.Scalar();
    return Status::OK();
  }

  template <typename Number>
  Status Integer(const YAML::Node& node, const std::string& key, int64_t min, int64_t max, Number* out) const {
    int64_t value = 0;
    if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value) || value < min || value > max) {
      return Error(node, "'" + key + "' must be a whole number from " + std::to_string(min) + " to " +
                             std::to_string(max));
    }
    *out = static_cast<Number>(value);
    return Status::OK();
  }

  Status OneOf(const YAML::Node& node, const std::string& key, std::vector<std::string> allowed,
               std::string* out) const {
    KEEL_RETURN_IF_ERROR(String(node, key, out));
    for (const std::string& a : allowed) {
      if (*out == a) return Status::OK();
    }
    std::string list;
    for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return Error(node, "'" + key + "' must be one of " + list);
  }

  Status StringList(const YAML::Node& node, const std::string& key, std::vector<std::string>* out) const {
    if (node.IsScalar()) {
      out->push_back(node.Scalar());
      return Status::OK();
    }
    if (!node.IsSequence() || node.size() == 0) return Error(node, "'" + key + "' must be a list of names");
    for (const YAML::Node& item : node) {
      if (!item.IsScalar()) return Error(item, "'" + key + "' must be a list of names");
      out->push_back(item.Scalar());
    }
    return Status::OK();
  }

  // librdkafka properties: names and values as strings, in file order.
  // Each is tried on a scratch librdkafka configuration here, so that a
  // mistyped name or a bad value is refused with its line before serving.
  Status Properties(const YAML::Node& node, const std::string& key, KafkaProperties* out) const {
    if (!node.IsMap()) return Error(node, "'" + key + "' must be a map of librdkafka properties");
    KEEL_ASSIGN_OR_RETURN(KafkaConfig scratch, KafkaConfig::Make({}));
    std::map<std::string, YAML::Node> seen;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar() || !entry.second.IsScalar()) {
        return Error(entry.first, "'" + key + "': every property must be a name and a value");
      }
      KEEL_RETURN_IF_ERROR(NotSeenBefore(&seen, entry.first, "'" + key + "': the property"));
      if (Status set = scratch.Set(entry.first.Scalar(), entry.second.Scalar()); !set.ok()) {
        return Error(entry.first, "'" + key + "': " + set.message());
      }
      out->emplace_back(entry.first.Scalar(), entry.second.Scalar());
    }
    return Status::OK();
  }

 private:
  std::string path_;
};

using Setter = std::function<Status(const ConfigReader&, const YAML::Node&, ServeConfig*)>;

// api: {address, port, tokens_file}
Status ReadApiSetting(const ConfigReader& reader, const YAML::Node& node, ApiConfig* api) {
  if (!node.IsMap()) return reader.Error(node, "'api' must be a map with address, port and tokens_file");
  api->enabled = true;
  std::map<std::string, YAML::Node> seen;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    KEEL_RETURN_IF_ERROR(reader.NotSeenBefore(&seen, entry.first, "'api': the setting"));
    if (key == "address") {
      KEEL_RETURN_IF_ERROR(reader.String(entry.second, "api.address", &api->address));
    } else if (key == "port") {
      KEEL_RETURN_IF_ERROR(reader.Integer(entry.second, "api.port", 1, 65535, &api->port));
    } else if (key == "tokens_file") {
      KEEL_RETURN_IF_ERROR(reader.String(entry.second, "api.tokens_file", &api->tokens_file));
    } else {
      return reader.Error(entry.first, "unknown setting 'api." + key + "' (api has address, port, tokens_file)");
    }
  }
  if (api->tokens_file.empty()) {
    return reader.Error(node, "'api' needs 'tokens_file' (make tokens with keel api token)");
  }
  return Status::OK();
}

const std::map<std::string, Setter>& Settings() {
  static const std::map<std::string, Setter> settings = {
      {"brokers", [](auto& r, auto& n, auto* c) { return r.String(n, "brokers", &c->brokers); }},
      {"group", [](auto& r, auto& n, auto* c) { return r.String(n, "group", &c->group); }},
      {"input_topics", [](auto& r, auto& n, auto* c) { return r.StringList(n, "input_topics", &c->input_topics); }},
      {"output_topic", [](auto& r, auto& n, auto* c) { return r.String(n, "output_topic", &c->output_topic); }},
      {"dead_letter_topic",
       [](auto& r, auto& n, auto* c) { return r.String(n, "dead_letter_topic", &c->dead_letter_topic); }},
      {"data", [](auto& r, auto& n, auto* c) { return r.String(n, "data", &c->data); }},
      {"sync", [](auto& r, auto& n, auto* c) { return r.OneOf(n, "sync", {"always", "batch", "off"}, &c->sync); }},
      {"rules", [](auto& r, auto& n, auto* c) { return r.String(n, "rules", &c->rules); }},
      {"templates", [](auto& r, auto& n, auto* c) { return r.String(n, "templates", &c->templates); }},
      {"publish", [](auto& r, auto& n, auto* c) { return r.OneOf(n, "publish", {"derived", "all"}, &c->publish); }},
      {"http_address", [](auto& r, auto& n, auto* c) { return r.String(n, "http_address", &c->http_address); }},
      {"http_port", [](auto& r, auto& n, auto* c) { return r.Integer(n, "http_port", 0, 65535, &c->http_port); }},
      {"batch_max_messages",
       [](auto& r, auto& n, auto* c) { return r.Integer(n, "batch_max_messages", 1, 100000, &c->batch_max_messages); }},
      {"batch_max_wait_ms",
       [](auto& r, auto& n, auto* c) { return r.Integer(n, "batch_max_wait_ms", 0, 10000, &c->batch_max_wait_ms); }},
      {"ingest_threads",
       [](auto& r, auto& n, auto* c) { return r.Integer(n, "ingest_threads", 1, 64, &c->ingest_threads); }},
      {"max_event_bytes",
       [](auto& r, auto& n, auto* c) { return r.Integer(n, "max_event_bytes", 64, 64 << 20, &c->max_event_bytes); }},
      {"max_depth", [](auto& r, auto& n, auto* c) { return r.Integer(n, "max_depth", 1, 100, &c->max_depth); }},
      {"event_time_window_days",
       [](auto& r, auto& n, auto* c) {
         return r.Integer(n, "event_time_window_days", 0, 4000000, &c->event_time_window_days);
       }},
      {"drain_timeout_ms",
       [](auto& r, auto& n, auto* c) { return r.Integer(n, "drain_timeout_ms", 0, 600000, &c->drain_timeout_ms); }},
      {"kafka", [](auto& r, auto& n, auto* c) { return r.Properties(n, "kafka", &c->kafka); }},
      {"consumer", [](auto& r, auto& n, auto* c) { return r.Properties(n, "consumer", &c->consumer); }},
      {"producer", [](auto& r, auto& n, auto* c) { return r.Properties(n, "producer", &c->producer); }},
      {"webhooks", [](auto& r, auto& n, auto* c) { return ReadWebhooksSetting(r.path(), n, &c->receiver); }},
      {"events", [](auto& r, auto& n, auto* c) { return ReadEventsSetting(r.path(), n, &c->receiver); }},
      {"people", [](auto& r, auto& n, auto* c) { return ReadPeopleSetting(r.path(), n, &c->receiver); }},
      {"sinks", [](auto& r, auto& n, auto* c) { return ReadSinksSetting(r.path(), n, &c->sinks); }},
      {"api", [](auto& r, auto& n, auto* c) { return ReadApiSetting(r, n, &c->api); }},
      {"max_body_bytes",
       [](auto& r, auto& n, auto* c) {
         return r.Integer(n, "max_body_bytes", 1024, 64 << 20, &c->receiver.max_body_bytes);
       }},
      {"max_dead_letters",
       [](auto& r, auto& n, auto* c) {
         return r.Integer(n, "max_dead_letters", 1, 10000000, &c->receiver.max_dead_letters);
       }},
  };
  return settings;
}

// Without brokers keel serves one local log (embedded mode), where a Kafka
// setting is a mistake to point at, not one to ignore.
Status CheckEmbedded(const ConfigReader& reader, const std::map<std::string, YAML::Node>& seen) {
  for (const char* kafka_only : {"input_topics", "output_topic", "dead_letter_topic", "group", "publish", "kafka",
                                 "consumer", "producer", "batch_max_messages", "batch_max_wait_ms",
                                 "ingest_threads"}) {
    if (auto it = seen.find(kafka_only); it != seen.end()) {
      return reader.Error(it->second, "'" + std::string(kafka_only) +
                                          "' is a Kafka setting and needs 'brokers' (without 'brokers', keel serve "
                                          "runs one local log in 'data')");
    }
  }
  return Status::OK();
}

Status CheckKafka(const ConfigReader& reader, const std::map<std::string, YAML::Node>& seen,
                  const ServeConfig& config) {
  const YAML::Node& brokers = seen.at("brokers");
  if (config.output_topic.empty()) {
    return reader.Error(brokers, "the setting 'output_topic' is required with 'brokers'");
  }
  if (config.dead_letter_topic.empty()) {
    return reader.Error(brokers, "the setting 'dead_letter_topic' is required with 'brokers'");
  }
  if (config.input_topics.empty()) {
    return reader.Error(brokers, "the setting 'input_topics' is required with 'brokers'");
  }
  // keel consumes its own dead letters there, refuses them again, and so on
  // for ever.
  for (const std::string& input : config.input_topics) {
    if (input == config.dead_letter_topic) {
      return reader.Error(seen.at("dead_letter_topic"), "'dead_letter_topic' must not be an input topic: dead "
                                                        "letters sent to '" + input + "' would be consumed again");
    }
  }
  return Status::OK();
}

}  // namespace

Result<ServeConfig> ReadServeConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.is_open() || in.bad()) return Status::NotFound("cannot read the configuration file '" + path + "'");
  // The bounded loader every outside YAML file goes through. Its duplicate-key
  // check is off: NotSeenBefore below refuses a repeated key in the words of
  // serve.yaml ("the setting 'brokers' is set twice").
  YamlLimits limits;
  limits.refuse_duplicate_keys = false;
  YamlPlace place;
  Result<std::vector<YAML::Node>> documents = LoadYaml(text.str(), limits, &place);
  if (!documents.ok()) return YamlRefusal(path, documents.status(), place);
  YAML::Node root = documents->empty() ? YAML::Node() : documents->front();
  ConfigReader reader(path);
  if (!root.IsMap()) return Status::InvalidArgument(path + ": the configuration must be a map of settings");
  ServeConfig config;
  std::map<std::string, YAML::Node> seen;
  for (const auto& entry : root) {
    std::string key = entry.first.Scalar();
    auto setting = Settings().find(key);
    if (setting == Settings().end()) return reader.Error(entry.first, "unknown setting '" + key + "'");
    KEEL_RETURN_IF_ERROR(reader.NotSeenBefore(&seen, entry.first, "the setting"));
    KEEL_RETURN_IF_ERROR(setting->second(reader, entry.second, &config));
  }
  KEEL_RETURN_IF_ERROR(config.brokers.empty() ? CheckEmbedded(reader, seen) : CheckKafka(reader, seen, config));
  if (config.data.empty()) return Status::InvalidArgument(path + ": the setting 'data' is required");
  if (config.rules.empty()) return Status::InvalidArgument(path + ": the setting 'rules' is required");
  return config;
}

}  // namespace keel::server
