#include "server/sink_options.h"

namespace keel::server {

sinks::SinkOptions SinkOptionsOf(const SinkConfig& sink) {
  sinks::SinkOptions options;
  options.name = sink.name;
  options.kind = sink.kind;
  options.selection.types = sink.types;
  options.selection.condition = sink.condition;
  options.concurrency = static_cast<int>(sink.concurrency);
  options.rate_per_second = sink.rate_per_second;
  options.max_pending = sink.max_pending;
  options.retry.max_attempts = sink.retry.max_attempts;
  options.retry.initial_delay = sink.retry.initial_delay;
  options.retry.max_delay = sink.retry.max_delay;
  return options;
}

}  // namespace keel::server
