#include "connectors/sinks/http_action_channel.h"

#include <openssl/evp.h>

#include <chrono>

#include "connectors/actions/action_run.h"
#include "connectors/sinks/http_try.h"

namespace keel::sinks {
namespace {

int64_t NowUnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TryResult Permanent(std::string detail) { return TryResult{TryOutcome::kPermanent, std::nullopt, std::move(detail), {}}; }

// A transport failure: retried, but for a malformed URL, which no retry mends.
TryResult TransportFailure(const Status& status) {
  TryResult failed;
  failed.outcome = status.code() == StatusCode::kInvalidArgument ? TryOutcome::kPermanent : TryOutcome::kRetry;
  failed.detail = status.message();
  return failed;
}

actions::ActionResponse ActionResponseOf(const http::ClientResponse& response) {
  return actions::ActionResponse{response.status, response.headers, response.body};
}

}  // namespace

std::string BasicAuthorization(std::string_view username, std::string_view password) {
  std::string plain = std::string(username) + ":" + std::string(password);
  std::string encoded(4 * ((plain.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  encoded.resize(static_cast<size_t>(written));
  return "Basic " + encoded;
}

Result<actions::ActionInput> HttpActionChannel::InputOf(const StoredEvent& event) const {
  actions::ActionInput input;
  input.event = &event;
  input.sink = options_.sink;
  input.vars = &options_.vars;
  if (options_.entity) {
    KEEL_ASSIGN_OR_RETURN(input.entity, options_.entity(event));
  }
  input.people = options_.people ? options_.people(event.event.workspace) : nullptr;
  input.schemas = options_.schemas;
  return input;
}

http::ClientRequest HttpActionChannel::Authorized(const actions::ActionRequest& request) const {
  http::ClientRequest out{request.method, request.url, request.headers, request.body};
  const HttpActionAuth& auth = options_.auth;
  switch (auth.scheme) {
    case HttpActionAuth::Scheme::kNone: break;
    case HttpActionAuth::Scheme::kBasic:
      out.headers.emplace_back("Authorization", BasicAuthorization(auth.username, auth.password));
      break;
    case HttpActionAuth::Scheme::kBearer: out.headers.emplace_back("Authorization", "Bearer " + auth.token); break;
    case HttpActionAuth::Scheme::kHeader: out.headers.emplace_back(auth.header, auth.value); break;
  }
  return out;
}

Result<std::optional<OutboundMessage>> HttpActionChannel::Prepare(const StoredEvent& event) const {
  KEEL_ASSIGN_OR_RETURN(actions::ActionInput input, InputOf(event));
  std::unique_ptr<ExpressionScope> scope = compiler_.NewScope();
  KEEL_ASSIGN_OR_RETURN(actions::PreparedAction prepared, actions::PrepareAction(*mapping_, input, *scope));
  if (prepared.ignored) return std::optional<OutboundMessage>();
  // What a dead letter shows: the request without the auth header.
  OutboundHttpRequest request{prepared.request.method, prepared.request.url, prepared.request.headers,
                              prepared.request.body};
  return std::optional<OutboundMessage>(OutboundMessage{std::move(request), std::nullopt});
}

TryResult HttpActionChannel::Send(const StoredEvent& event, const OutboundMessage&) const {
  // Prepared again: the entity may have changed since (an earlier try's
  // answer linked the item), and the look-up is not part of the message.
  Result<actions::ActionInput> input = InputOf(event);
  if (!input.ok()) return TryResult{TryOutcome::kRetry, std::nullopt, "entity: " + input.status().message(), {}};
  std::unique_ptr<ExpressionScope> scope = compiler_.NewScope();
  Result<actions::PreparedAction> prepared = actions::PrepareAction(*mapping_, *input, *scope);
  if (!prepared.ok()) return Permanent(prepared.status().message());
  if (prepared->ignored) return TryResult{TryOutcome::kDelivered, std::nullopt, "ignored: " + prepared->reason, {}};

  bool from_find = false;
  http::ClientResponse answered;
  if (prepared->find) {
    Result<http::ClientResponse> found_response = client_->Send(Authorized(*prepared->find));
    if (!found_response.ok()) return TransportFailure(found_response.status());
    TryResult looked = TryResultOfResponse(*found_response, NowUnixSeconds());
    if (looked.outcome != TryOutcome::kDelivered) {
      looked.detail = "find: " + looked.detail;
      return looked;
    }
    Result<bool> found = actions::Found(*mapping_, *prepared, *input, ActionResponseOf(*found_response), *scope);
    if (!found.ok()) return Permanent(found.status().message());
    if (*found) {
      from_find = true;
      answered = std::move(*found_response);
    }
  }
  if (!from_find) {
    Result<http::ClientResponse> response = client_->Send(Authorized(prepared->request));
    if (!response.ok()) return TransportFailure(response.status());
    TryResult result = TryResultOfResponse(*response, NowUnixSeconds());
    if (result.outcome != TryOutcome::kDelivered) return result;
    Result<bool> ok = actions::Succeeded(*mapping_, *prepared, *input, ActionResponseOf(*response), *scope);
    if (!ok.ok()) return Permanent(ok.status().message());
    if (!*ok) return Permanent(result.detail + " (the case's ok: is false)");
    answered = std::move(*response);
  }
  Result<std::vector<nlohmann::json>> answers =
      actions::AnswerEvents(*mapping_, *prepared, *input, ActionResponseOf(answered), from_find, *scope);
  // The tool acted, but its answer cannot be recorded: a dead letter says
  // so (sending again would act again).
  if (!answers.ok()) return Permanent("answer: " + answers.status().message());
  TryResult delivered{TryOutcome::kDelivered, std::nullopt, HttpDetail(answered.status, answered.body), {}};
  if (from_find) delivered.detail = "found: " + delivered.detail;
  delivered.answer_events = std::move(*answers);
  return delivered;
}

}  // namespace keel::sinks
