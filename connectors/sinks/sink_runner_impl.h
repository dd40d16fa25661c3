// The SinkRunner's bookkeeping, shared by its reader (sink_runner.cc) and its
// workers (sink_runner_try.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "connectors/sinks/delivery.h"
#include "connectors/sinks/sink_runner.h"
#include "engine/event.h"

namespace keel::sinks {

// A selected event read ahead, until it is delivered or dead-lettered.
struct SinkRunner::Pending {
  StoredEvent stored;
  int64_t read_micros = 0;  // when the reader read it (the age metric)
  // The runner's lock guards these two; the worker holding the lane reads them.
  int64_t not_before_micros = 0;  // a retry's backoff
  bool stalled = false;           // held back: the dead letters are full
  // Only the worker holding the event's lane touches these.
  bool prepared = false;
  std::optional<OutboundMessage> message;  // prepared once: every try sends the same
  int attempts = 0;
  int last_status = 0;
  std::string last_detail;
  int64_t first_try_micros = 0;
  int64_t last_try_micros = 0;
  bool letter_refused = false;  // the last GiveUp could not keep the letter
};

// One workspace's events in log order; at most one worker holds it.
struct SinkRunner::Lane {
  std::string workspace;
  std::deque<Pending*> events;
  bool busy = false;
};

// What came of one turn of a worker with an event.
struct SinkRunner::Attempted {
  enum Kind {
    kDelivered,     // accepted (answers appended)
    kIgnored,       // the channel had nothing to send
    kRetry,         // try again after a backoff
    kDeadLettered,  // given up; the letter is kept
    kLetterRefused, // given up, but the letter could not be kept: hold the event back
    kAbandoned,     // the runner stopped before the try
  } kind;
  std::optional<std::chrono::milliseconds> retry_after;
};

}  // namespace keel::sinks
