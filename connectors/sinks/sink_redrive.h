// Sending a sink's dead letter again (`keel deliveries redrive`): the event
// is read from the log by its seq and sent once more through the sink's
// channel as configured now. Delivered: its answer events are appended and
// the letter removed. Not: the letter is kept with the new try's reason.
#pragma once

#include <string>
#include <string_view>

#include "connectors/sinks/channel.h"
#include "connectors/sinks/sink_dead_letters.h"
#include "connectors/sinks/sink_runner.h"
#include "engine/clock.h"
#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel::sinks {

struct RedriveOutcome {
  std::string id;
  bool delivered = false;  // and the letter removed
  std::string detail;      // what the receiver answered, or why it was not sent
};

// Sends the letter `id` again through `channel`, the channel of the letter's
// sink. NotFound when there is no such letter; FailedPrecondition when the
// log does not hold its event (another data folder). A refusal or failure of
// the receiver is not an error: the outcome says it, and the letter stays.
Result<RedriveOutcome> RedriveSinkLetter(const EventLog& log, const Channel& channel, SinkDeadLetterStore& store,
                                         std::string_view id, const AnswerAppender& append_answers,
                                         const Clock& clock);

}  // namespace keel::sinks
