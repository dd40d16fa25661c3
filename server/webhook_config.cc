#include "server/webhook_config.h"

#include <cstdlib>
#include <filesystem>
#include <set>

namespace keel::server {
namespace {

// Names end up in event ids (NAME:DELIVERY:KEY) and dead letters' file names.
bool IsEndpointName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

// Paths keel serves itself, which no endpoint may take.
bool IsReservedPath(const std::string& path) {
  return path == "/metrics" || path == "/healthz" || path == "/" || path.starts_with("/api/");
}

bool IsEnvironmentName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

class EntryReader {
 public:
  EntryReader(const std::string& file, std::string what) : file_(file), what_(std::move(what)) {}

  Status Error(const YAML::Node& node, const std::string& message) const {
    return Status::InvalidArgument(file_ + ":" + std::to_string(node.Mark().line + 1) + ": " + what_ + ": " + message);
  }

  // The entry's keys, each once, each known; their values must be strings.
  Status Strings(const YAML::Node& entry, const std::map<std::string, std::string*>& keys) const {
    if (!entry.IsMap()) return Error(entry, "must be a map of settings");
    std::set<std::string> seen;
    for (const auto& pair : entry) {
      const std::string key = pair.first.Scalar();
      auto it = keys.find(key);
      if (it == keys.end()) {
        std::string known;
        for (const auto& [name, _] : keys) known += (known.empty() ? "" : ", ") + name;
        return Error(pair.first, "unknown setting '" + key + "' (known: " + known + ")");
      }
      if (!seen.insert(key).second) return Error(pair.first, "'" + key + "' is set twice");
      if (!pair.second.IsScalar() || pair.second.Scalar().empty()) {
        return Error(pair.second, "'" + key + "' must be a non-empty string");
      }
      *it->second = pair.second.Scalar();
    }
    return Status::OK();
  }

 private:
  const std::string& file_;
  std::string what_;
};

}  // namespace

Status ReadWebhooksSetting(const std::string& file, const YAML::Node& node, ReceiverConfig* out) {
  if (!node.IsSequence()) {
    return Status::InvalidArgument(file + ":" + std::to_string(node.Mark().line + 1) +
                                   ": 'webhooks' must be a list of endpoints");
  }
  std::map<std::string, int> names, paths;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& entry = node[i];
    EntryReader reader(file, "webhooks[" + std::to_string(i) + "]");
    WebhookEndpointConfig endpoint;
    endpoint.line = entry.Mark().line + 1;
    KEEL_RETURN_IF_ERROR(reader.Strings(entry, {{"source", &endpoint.source},
                                                {"mapping", &endpoint.mapping},
                                                {"name", &endpoint.name},
                                                {"path", &endpoint.path},
                                                {"workspace", &endpoint.workspace},
                                                {"workspace_from", &endpoint.workspace_from},
                                                {"secret_env", &endpoint.secret_env}}));
    if (endpoint.source.empty() == endpoint.mapping.empty()) {
      return reader.Error(entry, "set exactly one of 'source' (a built-in mapping) and 'mapping' (a mapping file)");
    }
    if (endpoint.workspace.empty() == endpoint.workspace_from.empty()) {
      return reader.Error(entry, "set exactly one of 'workspace' (a fixed workspace) and 'workspace_from' (a CEL "
                                 "expression over headers and body)");
    }
    if (endpoint.secret_env.empty()) {
      return reader.Error(entry, "'secret_env' is required: the environment variable holding the secret the tool "
                                 "signs with (secrets are never written in serve.yaml)");
    }
    if (!IsEnvironmentName(endpoint.secret_env)) {
      return reader.Error(entry["secret_env"], "'secret_env' must name an environment variable (letters, digits "
                                               "and '_'), not hold the secret itself");
    }
    if (endpoint.name.empty()) {
      endpoint.name = !endpoint.source.empty() ? endpoint.source
                                                : std::filesystem::path(endpoint.mapping).stem().string();
    }
    if (!IsEndpointName(endpoint.name)) {
      return reader.Error(entry, "the endpoint name '" + endpoint.name + "' must be 1 to 64 letters, digits, '.', '_' "
                                 "or '-', starting with a letter or digit (set 'name')");
    }
    if (endpoint.path.empty()) endpoint.path = "/hooks/" + endpoint.name;
    if (endpoint.path[0] != '/' || endpoint.path.find_first_of("?# ") != std::string::npos) {
      return reader.Error(entry, "'path' must start with '/' and hold no '?', '#' or space: '" + endpoint.path + "'");
    }
    if (IsReservedPath(endpoint.path)) {
      return reader.Error(entry, "'path' " + endpoint.path + " is keel's own; choose another");
    }
    if (auto [first, fresh] = names.emplace(endpoint.name, endpoint.line); !fresh) {
      return reader.Error(entry, "the endpoint name '" + endpoint.name + "' is used twice (first on line " +
                                     std::to_string(first->second) + "); give one of them a 'name'");
    }
    if (auto [first, fresh] = paths.emplace(endpoint.path, endpoint.line); !fresh) {
      return reader.Error(entry, "the path " + endpoint.path + " is used twice (first on line " +
                                     std::to_string(first->second) + ")");
    }
    out->webhooks.push_back(std::move(endpoint));
  }
  if (out->events) {
    for (const WebhookEndpointConfig& endpoint : out->webhooks) {
      if (endpoint.path == out->events->path) {
        return Status::InvalidArgument(file + ":" + std::to_string(endpoint.line) + ": the path " + endpoint.path +
                                       " is the events route's");
      }
    }
  }
  return Status::OK();
}

Status ReadEventsSetting(const std::string& file, const YAML::Node& node, ReceiverConfig* out) {
  EntryReader reader(file, "events");
  EventsEndpointConfig events;
  events.line = node.Mark().line + 1;
  std::string path;
  KEEL_RETURN_IF_ERROR(reader.Strings(node, {{"token_env", &events.token_env}, {"path", &path}}));
  if (!path.empty()) events.path = path;
  if (events.token_env.empty()) {
    return reader.Error(node, "'token_env' is required: the environment variable holding the bearer token");
  }
  if (!IsEnvironmentName(events.token_env)) {
    return reader.Error(node["token_env"], "'token_env' must name an environment variable, not hold the token");
  }
  if (events.path[0] != '/' || IsReservedPath(events.path)) {
    return reader.Error(node, "'path' must start with '/' and not be one of keel's own: '" + events.path + "'");
  }
  for (const WebhookEndpointConfig& endpoint : out->webhooks) {
    if (endpoint.path == events.path) {
      return reader.Error(node, "the path " + events.path + " is taken by the webhook on line " +
                                    std::to_string(endpoint.line));
    }
  }
  out->events = std::move(events);
  return Status::OK();
}

Status ReadPeopleSetting(const std::string& file, const YAML::Node& node, ReceiverConfig* out) {
  if (!node.IsMap()) {
    return Status::InvalidArgument(file + ":" + std::to_string(node.Mark().line + 1) +
                                   ": 'people' must map each workspace to its people file");
  }
  for (const auto& pair : node) {
    const std::string workspace = pair.first.Scalar();
    const int line = pair.first.Mark().line + 1;
    if (!pair.second.IsScalar() || pair.second.Scalar().empty()) {
      return Status::InvalidArgument(file + ":" + std::to_string(line) + ": people: the file of workspace '" +
                                     workspace + "' must be a path");
    }
    if (!out->people.emplace(workspace, pair.second.Scalar()).second) {
      return Status::InvalidArgument(file + ":" + std::to_string(line) + ": people: workspace '" + workspace +
                                     "' is given twice");
    }
  }
  return Status::OK();
}

Result<std::string> SecretFromEnvironment(const std::string& variable, const std::string& what) {
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr || *value == '\0') {
    return Status::FailedPrecondition("the environment variable " + variable + " (" + what +
                                      ") is not set or empty: export the secret there before starting keel serve");
  }
  return std::string(value);
}

}  // namespace keel::server
