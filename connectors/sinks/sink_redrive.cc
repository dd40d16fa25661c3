#include "connectors/sinks/sink_redrive.h"

#include "connectors/sinks/answer_events.h"
#include "engine/json_time.h"

namespace keel::sinks {
namespace {

// Keeps the letter with what the new try found.
Result<RedriveOutcome> KeepLetter(SinkDeadLetterStore& store, SinkDeadLetter letter, bool tried, int status,
                                  std::string detail, const Clock& clock) {
  if (tried) ++letter.attempts;
  letter.status = status;
  letter.reason = detail;
  letter.last_try = FormatRfc3339Micros(clock.NowMicros()).value_or(letter.last_try);
  KEEL_RETURN_IF_ERROR(store.Put(letter));
  return RedriveOutcome{letter.id, false, std::move(detail)};
}

}  // namespace

Result<RedriveOutcome> RedriveSinkLetter(const EventLog& log, const Channel& channel, SinkDeadLetterStore& store,
                                         std::string_view id, const AnswerAppender& append_answers,
                                         const Clock& clock) {
  KEEL_ASSIGN_OR_RETURN(SinkDeadLetter letter, store.Get(id));
  if (letter.seq == 0 || letter.seq > log.Head().seq) {
    return Status::FailedPrecondition("dead letter " + letter.id + " names event seq " + std::to_string(letter.seq) +
                                      ", which this log does not hold");
  }
  KEEL_ASSIGN_OR_RETURN(StoredEvent stored, log.Read(letter.seq));
  if (stored.event.id != letter.event_id) {
    return Status::FailedPrecondition("dead letter " + letter.id + " names event " + letter.event_id + " at seq " +
                                      std::to_string(letter.seq) + ", but the log holds " + stored.event.id +
                                      " there: is this the data folder it came from?");
  }
  Result<std::optional<OutboundMessage>> message = channel.Prepare(stored);
  if (!message.ok()) {
    return KeepLetter(store, std::move(letter), false, 0,
                      "cannot prepare the message: " + message.status().message(), clock);
  }
  if (*message) {
    TryResult result = channel.Send(stored, **message);
    if (result.outcome != TryOutcome::kDelivered) {
      int status = StatusOfDetail(result.detail);
      return KeepLetter(store, std::move(letter), true, status, std::move(result.detail), clock);
    }
    if (!result.answer_events.empty()) {
      CompleteAnswerEvents(stored.event, letter.sink, result.answer_events);
      Status appended = append_answers ? append_answers(std::move(result.answer_events))
                                       : Status::FailedPrecondition("nothing appends the answer events");
      if (!appended.ok()) {
        return KeepLetter(store, std::move(letter), true, 0,
                          "delivered, but cannot append the answer events: " + appended.message(), clock);
      }
    }
  }
  KEEL_RETURN_IF_ERROR(store.Remove(letter.id));
  return RedriveOutcome{letter.id, true, *message ? "delivered" : "nothing to send for it now (the channel ignores it)"};
}

}  // namespace keel::sinks
