// ApiBackend: how the HTTP API (server/api/) reaches the logs and the writer
// of the serve it runs in, without knowing which kind of serve that is.
// server/ implements it for embedded mode (one local log), Kafka mode (the
// partition logs this member holds; actions produced to the input topic) and
// read-only mode (`keel serve --db DIR`: one log, no writer).
//
// Thread safety: every method may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel::api {

class ApiBackend {
 public:
  virtual ~ApiBackend() = default;

  // The log that holds `workspace` (read-only use; reads are thread-safe),
  // or nullptr when this serve holds none (answered 404, like any unknown
  // workspace). A hold: the serve does not close the log while it is held
  // (Kafka mode waits on a revocation), so hold it for one request, not
  // longer.
  virtual std::shared_ptr<const EventLog> LogOf(std::string_view workspace) const = 0;
  // Every workspace this serve holds, sorted.
  virtual std::vector<std::string> Workspaces() const = 0;

  // Appends one input event (an API action) and answers once it is durable:
  // its seq when this serve can tell (embedded mode), nullopt when it cannot
  // (Kafka mode: the partition's writer appends it after the ack).
  // FailedPrecondition when read-only.
  // `event_json` is one CloudEvent (JSON), checked as any input event.
  virtual Result<std::optional<uint64_t>> Submit(std::string event_json) = 0;
  virtual bool read_only() const = 0;

  // The stream of new events: blocks until the log holding `workspace` has
  // an event after `after_seq` or `timeout` passed, and returns that log's
  // head then (== after_seq or less when nothing came). The caller reads the
  // new events with LogOf(workspace)->Scan and keeps those of its
  // workspace. This default polls the head; a backend that hears of appends
  // may answer sooner.
  virtual uint64_t WaitForAppend(std::string_view workspace, uint64_t after_seq,
                                 std::chrono::milliseconds timeout) const;
};

}  // namespace keel::api
