// The builder of `http` sinks (serve.yaml `kind: http`): the sink's action
// mapping (a built-in named by `action:`, or the file `mapping:`), its vars and
// auth, wrapped in the http actions channel (connectors/sinks/http_action_channel.h).
// What the channel reads from the running server (the subject's state, the
// people files) comes in HttpActionSinkContext.
#pragma once

#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/event.h"
#include "engine/expression.h"
#include "server/sink_config.h"

namespace keel {
class SchemaRegistry;
}

namespace keel::server {

struct HttpActionSinkContext {
  // The subject's current state as JSON, or null (the state store). Unset: null.
  std::function<Result<nlohmann::json>(const StoredEvent&)> entity;
  // The people file of a workspace (serve.yaml `people:`), or nullptr.
  std::function<const PeopleDirectory*(std::string_view workspace)> people;
  const SchemaRegistry* schemas = nullptr;  // must outlive the channels
};

// The builder to register as SinkChannelBuilders["http"]. A mapping that does
// not load, or an auth scheme without its secret, is an error naming the sink
// (BuildSinkChannel adds "sink NAME: ").
SinkChannelBuilder HttpActionChannelBuilder(HttpActionSinkContext context);

}  // namespace keel::server
