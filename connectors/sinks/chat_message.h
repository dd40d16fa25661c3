// What the chat channels (slack, teams) share: their settings and the JSON
// POST each of them sends.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "connectors/sinks/delivery.h"
#include "connectors/sinks/event_text.h"

namespace keel::sinks {

struct ChatChannelOptions {
  std::string url;                            // a secret: whoever has it can post
  std::string text{kDefaultMessageTemplate};  // a "{{ CEL }}" template over `event`
};

// A POST of `body` as JSON to `url`. A string that is not UTF-8 (an event's
// text cut by a template) is sent with U+FFFD in its place rather than
// making the whole body one the receiver refuses.
OutboundMessage ChatMessage(const std::string& url, const nlohmann::ordered_json& body);

}  // namespace keel::sinks
