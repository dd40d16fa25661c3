#include "server/sink_http_action.h"

#include <memory>

#include "connectors/actions/builtin_actions.h"
#include "connectors/sinks/http_action_channel.h"

namespace keel::server {
namespace {

Result<sinks::HttpActionAuth> AuthOf(const SinkConfig& sink, const SinkSecrets& secrets) {
  sinks::HttpActionAuth auth;
  const std::string& scheme = sink.auth.scheme;
  if (scheme.empty()) return auth;
  if (scheme == "basic") {
    auth.scheme = sinks::HttpActionAuth::Scheme::kBasic;
    auth.username = secrets.username;
    auth.password = secrets.password;
  } else if (scheme == "bearer") {
    auth.scheme = sinks::HttpActionAuth::Scheme::kBearer;
    auth.token = secrets.token;
  } else if (scheme == "header") {
    auth.scheme = sinks::HttpActionAuth::Scheme::kHeader;
    auth.header = sink.auth.header;
    auth.value = secrets.header_value;
    if (auth.header.empty()) return Status::InvalidArgument("auth: scheme header needs header: (its name)");
  } else {
    return Status::InvalidArgument("auth.scheme: '" + scheme + "' is not basic, bearer or header");
  }
  return auth;
}

}  // namespace

SinkChannelBuilder HttpActionChannelBuilder(HttpActionSinkContext context) {
  return [context](const SinkConfig& sink, const SinkSecrets& secrets,
                   const SinkChannelContext& channel_context) -> Result<std::unique_ptr<sinks::Channel>> {
    if (channel_context.compiler == nullptr) return Status::Internal("no expression compiler was given");
    if (!channel_context.make_http_client) return Status::Internal("no HTTP client factory was given");
    if (sink.action.empty() == sink.mapping.empty()) {
      return Status::InvalidArgument("an http sink names either action: (a built-in) or mapping: (a file)");
    }
    Result<actions::ActionMapping> mapping =
        sink.mapping.empty() ? actions::LoadBuiltinAction(sink.action, *channel_context.compiler, context.schemas)
                             : actions::LoadActionMappingFile(sink.mapping, *channel_context.compiler, context.schemas);
    if (!mapping.ok()) return mapping.status();
    KEEL_ASSIGN_OR_RETURN(sinks::HttpActionAuth auth, AuthOf(sink, secrets));
    KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const http::HttpClient> client,
                          channel_context.make_http_client(HttpClientOptionsOf(sink)));
    sinks::HttpActionChannelOptions options;
    options.sink = sink.name;
    options.vars = sink.vars;
    options.auth = std::move(auth);
    options.entity = context.entity;
    options.people = context.people;
    options.schemas = context.schemas;
    return std::unique_ptr<sinks::Channel>(new sinks::HttpActionChannel(
        std::make_shared<const actions::ActionMapping>(std::move(*mapping)), std::move(options),
        *channel_context.compiler, std::move(client)));
  };
}

}  // namespace keel::server
