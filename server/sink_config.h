// The `sinks:` part of serve.yaml: where keel delivers what its rules decide
// (webhook, slack, teams, email, http actions). connectors/sinks/README.md,
// "Configuration", lists every setting. Reading refuses unknown keys, a key
// of another kind of sink, wrong types and bad names with "FILE:LINE: sinks[I]
// (NAME): ...". Secrets are never in the file: a sink names the environment
// variables that hold them (*_env), read when serve starts
// (ResolveSinkSecrets) and never printed.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "connectors/http/http_client.h"
#include "connectors/sinks/channel.h"
#include "engine/expression.h"
#include "engine/status.h"

namespace keel::server {

struct SinkRetryConfig {
  int max_attempts = 8;
  std::chrono::milliseconds initial_delay{1000};
  std::chrono::milliseconds max_delay{300000};
};

// `auth:` of an http sink: the scheme and the variables of its secrets.
struct SinkAuthConfig {
  std::string scheme;        // basic | bearer | header; empty: none
  std::string username_env;  // basic
  std::string password_env;  // basic
  std::string token_env;     // bearer
  std::string header;        // header: the header's name
  std::string value_env;     // header
};

struct SinkConfig {
  std::string name;                 // [a-z0-9._-]{1,64}; the cursor is KIND/NAME
  std::string kind;                 // webhook | slack | teams | email | http
  std::vector<std::string> types;   // exact names or KIND.* globs; empty: every derived event
  std::string condition;            // `if`: CEL over `event`; empty: every selected type
  size_t concurrency = 4;
  double rate_per_second = 0;       // 0: unlimited
  size_t max_pending = 10000;
  SinkRetryConfig retry;
  std::chrono::milliseconds timeout{10000};
  bool tls_verify = true;
  std::string ca_file;
  // webhook, slack, teams
  std::string url;
  std::string url_env;              // slack, teams: the URL is a secret
  std::string mode = "structured";  // webhook: structured | binary
  std::string secret_env;           // webhook: signs the body
  // slack, teams, email
  std::string text;                 // template over `event`; empty: the channel's default
  // email
  std::string smtp;                 // smtp://HOST:PORT or smtps://HOST:PORT
  bool starttls = true;
  std::string username_env;
  std::string password_env;
  std::string from;
  std::string subject;              // template; empty: the email channel's default
  // http
  std::string action;               // a built-in action mapping, or
  std::string mapping;              // an action mapping file
  std::map<std::string, std::string> vars;
  SinkAuthConfig auth;

  int line = 0;                     // where the entry starts in serve.yaml

  std::string cursor_name() const { return kind + "/" + name; }
};

// Reads `sinks:` (a list) into `*out`. Errors say "FILE:LINE: ...".
Status ReadSinksSetting(const std::string& file, const YAML::Node& node, std::vector<SinkConfig>* out);

// What serve should log about a sink when it starts, one line each, naming
// the sink: TLS verification turned off, a chat URL (a secret) written in the
// file, a signing secret sent over plain http://.
std::vector<std::string> SinkConfigWarnings(const SinkConfig& sink);

// The secrets of a sink, read from the environment; a variable the sink does
// not name stays empty.
struct SinkSecrets {
  std::string secret;    // webhook: secret_env
  std::string url;       // slack, teams: url_env (else the url setting)
  std::string username;  // email, http basic
  std::string password;  // email, http basic
  std::string token;     // http bearer
  std::string header_value;  // http header
};

// FailedPrecondition naming the variable and the sink (never a value) when
// one the sink names is not set.
Result<SinkSecrets> ResolveSinkSecrets(const SinkConfig& sink);

// The client options of a sink: its timeout, TLS verification and CA file.
http::HttpClientOptions HttpClientOptionsOf(const SinkConfig& sink);

// What building a channel may need from serve.
struct SinkChannelContext {
  const ExpressionCompiler* compiler = nullptr;  // must outlive the channels
  // Makes the HTTP client of a sink (serve: http::HttpClient::Create; tests
  // may hand a fake).
  std::function<Result<std::shared_ptr<const http::HttpClient>>(const http::HttpClientOptions&)> make_http_client;
};

// Builds the channel of one kind of sink. The seam where each kind plugs in:
// webhook, slack and teams are WebhookAndChatChannelBuilders(); email and
// http come from their own files.
using SinkChannelBuilder = std::function<Result<std::unique_ptr<sinks::Channel>>(
    const SinkConfig& sink, const SinkSecrets& secrets, const SinkChannelContext& context)>;
using SinkChannelBuilders = std::map<std::string, SinkChannelBuilder>;  // kind -> builder

SinkChannelBuilders WebhookAndChatChannelBuilders();

// The channel of `sink`: its secrets resolved, then the builder of its kind.
// Errors name the sink ("sink ops-feed: ...").
Result<std::unique_ptr<sinks::Channel>> BuildSinkChannel(const SinkConfig& sink, const SinkChannelContext& context,
                                                          const SinkChannelBuilders& builders);

}  // namespace keel::server
