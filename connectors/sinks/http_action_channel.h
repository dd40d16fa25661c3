// The `http` channel: a sink that acts in a tool through an action mapping
// (connectors/actions/README.md). Prepare runs the mapping for the event with
// the sink's vars, the subject's state and the people file of its workspace
// (nothing to send when the mapping ignores the event; an error, a dead
// letter, when it fails). Send sends the case's look-up first when it has one
// (an item found is not created again), then the request, with the sink's
// auth header added here and nowhere stored, and turns a success into the
// answer events (TryResult.answer_events) the runner appends.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "connectors/actions/action_mapping.h"
#include "connectors/actions/action_run.h"
#include "connectors/http/http_client.h"
#include "connectors/sinks/channel.h"
#include "engine/expression.h"

namespace keel::sinks {

// How the channel authenticates (serve.yaml `auth:`, secrets from the environment).
struct HttpActionAuth {
  enum class Scheme : uint8_t { kNone, kBasic, kBearer, kHeader };
  Scheme scheme = Scheme::kNone;
  std::string username;  // basic
  std::string password;  // basic
  std::string token;     // bearer
  std::string header;    // header: its name (PRIVATE-TOKEN, Authorization)
  std::string value;     // header
};

struct HttpActionChannelOptions {
  std::string sink;  // the sink's name: the answers' ids, source and actor
  std::map<std::string, std::string> vars;
  HttpActionAuth auth;
  // The subject's current state as JSON, or null when it has none (serve
  // reads the state store). Unset: always null.
  std::function<Result<nlohmann::json>(const StoredEvent&)> entity;
  // The people file of a workspace, or nullptr. Unset: nobody is known.
  std::function<const PeopleDirectory*(std::string_view workspace)> people;
  const SchemaRegistry* schemas = nullptr;  // answers checked against their types when given
};

// Safe for concurrent use: the mapping is immutable, each call takes its own
// expression scope, and the client is thread-safe.
class HttpActionChannel final : public Channel {
 public:
  HttpActionChannel(std::shared_ptr<const actions::ActionMapping> mapping, HttpActionChannelOptions options,
                    const ExpressionCompiler& compiler, std::shared_ptr<const http::HttpClient> client)
      : mapping_(std::move(mapping)), options_(std::move(options)), compiler_(compiler), client_(std::move(client)) {}

  Result<std::optional<OutboundMessage>> Prepare(const StoredEvent& event) const override;
  TryResult Send(const StoredEvent& event, const OutboundMessage& message) const override;

 private:
  Result<actions::ActionInput> InputOf(const StoredEvent& event) const;
  // The request with the auth header added.
  http::ClientRequest Authorized(const actions::ActionRequest& request) const;

  std::shared_ptr<const actions::ActionMapping> mapping_;
  HttpActionChannelOptions options_;
  const ExpressionCompiler& compiler_;
  std::shared_ptr<const http::HttpClient> client_;
};

// "Basic " and base64 of USER:PASSWORD (RFC 7617).
std::string BasicAuthorization(std::string_view username, std::string_view password);

}  // namespace keel::sinks
