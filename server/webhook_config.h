// The receiver's part of serve.yaml: `webhooks:` (one entry per endpoint a
// tool posts to), `events:` (POST /events, CloudEvents over HTTP), `people:`
// (the people file of each workspace) and `max_body_bytes`. README, "Connect
// your tools", shows them. Secrets are never in the file: an endpoint names
// the environment variable that holds its secret, and serve reads it when it
// starts (ResolveSecrets).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/status.h"

namespace keel::server {

struct WebhookEndpointConfig {
  std::string source;          // a built-in mapping (github, jira, ...), or
  std::string mapping;         // a mapping file; exactly one of the two
  std::string name;            // the dedup scope and the dead letters' prefix; default: source or the file's stem
  std::string path;            // default: /hooks/NAME
  std::string workspace;       // a fixed workspace, or
  std::string workspace_from;  // a CEL expression over headers and body; exactly one of the two
  std::string secret_env;      // the environment variable that holds the secret
  int line = 0;                // where the entry starts in serve.yaml, for messages
};

struct EventsEndpointConfig {
  std::string path = "/events";
  std::string token_env;       // the environment variable that holds the bearer token
  int line = 0;
};

struct ReceiverConfig {
  std::vector<WebhookEndpointConfig> webhooks;
  std::optional<EventsEndpointConfig> events;
  std::map<std::string, std::string> people;  // workspace -> people file
  size_t max_body_bytes = size_t{1} << 20;
  size_t max_dead_letters = 10000;

  bool empty() const { return webhooks.empty() && !events; }
};

// Readers of the settings, each given its node; errors say "FILE:LINE: ...".
Status ReadWebhooksSetting(const std::string& file, const YAML::Node& node, ReceiverConfig* out);
Status ReadEventsSetting(const std::string& file, const YAML::Node& node, ReceiverConfig* out);
Status ReadPeopleSetting(const std::string& file, const YAML::Node& node, ReceiverConfig* out);

// An endpoint's or the events route's secret, read from the environment.
// The message of a missing one names the variable and the entry, never a
// value.
Result<std::string> SecretFromEnvironment(const std::string& variable, const std::string& what);

}  // namespace keel::server
