// What a sink's templates and receivers see of a stored event: the CloudEvent
// as JSON (its canonical bytes plus `seq`), and the text a chat or mail
// channel renders from it with a "{{ CEL }}" template over `event`.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/event.h"
#include "engine/expression.h"
#include "engine/status.h"

namespace keel::sinks {

// The variable a sink's templates read.
inline constexpr std::string_view kEventVar = "event";

// The text a chat channel sends when its sink sets none: a
// notification.requested's message.
inline constexpr std::string_view kDefaultMessageTemplate = "{{ event.data.message }}";

// The stored event as one JSON object: the canonical text with `"seq":N`
// appended as its last member (not canonical any more: seq is not hashed).
std::string StoredEventJson(const StoredEvent& event);

// A compiled text template over `event`. Safe for concurrent use: each
// Render has its own scope.
class EventTextTemplate {
 public:
  // InvalidArgument "LINE:COL: message" placing a compile error in `text`.
  // `compiler` must outlive the template.
  static Result<EventTextTemplate> Compile(std::string_view text, const ExpressionCompiler& compiler);

  // The text for `event`: a string value as it is, any other value as its
  // JSON text. An evaluation error (a missing member) is InvalidArgument
  // with the evaluator's message; null is an error too (nothing to say).
  Result<std::string> Render(const StoredEvent& event) const;

 private:
  EventTextTemplate(const ExpressionCompiler* compiler, std::shared_ptr<const Expression> expression)
      : compiler_(compiler), expression_(std::move(expression)) {}

  const ExpressionCompiler* compiler_;
  std::shared_ptr<const Expression> expression_;
};

}  // namespace keel::sinks
