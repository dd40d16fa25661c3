// What a sink counts, and its lines in `keel serve`'s /metrics (Prometheus
// text format 0.0.4): keel_sink_*{sink="NAME"}. The runner keeps the
// counters; the server renders a snapshot of each sink with SinkPrometheusText.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>

namespace keel::sinks {

// Bumped by the runner's threads, read by the HTTP thread: safe for
// concurrent use without external synchronization.
struct SinkCounters {
  std::atomic<uint64_t> delivered{0};      // the receiver accepted it
  std::atomic<uint64_t> ignored{0};        // the channel had nothing to send (counts as delivered)
  std::atomic<uint64_t> retried{0};        // failed tries that are tried again
  std::atomic<uint64_t> dead_lettered{0};  // given up on, kept in the sink's dead letters
  std::atomic<uint64_t> condition_errors{0};  // events the `if` could not be evaluated on (not sent)
};

struct SinkMetrics {
  std::string sink;
  uint64_t delivered = 0;
  uint64_t ignored = 0;
  uint64_t retried = 0;
  uint64_t dead_lettered = 0;
  uint64_t condition_errors = 0;
  uint64_t lag_events = 0;           // the log's head seq minus the sink's cursor
  double oldest_undelivered_seconds = 0;  // since the runner read the oldest event not yet delivered; 0: none
  uint64_t pending = 0;              // selected events read ahead, not yet delivered
  uint64_t stalled = 0;              // events held back because the dead letters are full
};

// The HELP and TYPE lines once per metric, then one line per sink.
std::string SinkPrometheusText(std::span<const SinkMetrics> sinks);

}  // namespace keel::sinks
