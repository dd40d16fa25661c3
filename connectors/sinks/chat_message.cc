#include "connectors/sinks/chat_message.h"

namespace keel::sinks {

OutboundMessage ChatMessage(const std::string& url, const nlohmann::ordered_json& body) {
  OutboundHttpRequest request;
  request.url = url;
  request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return OutboundMessage{std::move(request), std::nullopt};
}

}  // namespace keel::sinks
