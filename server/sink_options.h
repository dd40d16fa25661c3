// A `sinks:` entry of serve.yaml (server/sink_config.h) as the options of
// its SinkRunner (connectors/sinks/sink_runner.h): what serve hands the
// runner besides the channel, the log and the dead letters.
#pragma once

#include "connectors/sinks/sink_runner.h"
#include "server/sink_config.h"

namespace keel::server {

// Name, kind, types, `if`, concurrency, rate, read-ahead and retries as the
// entry says; the runner's own defaults for the rest (the 100 ms poll, the
// 1 s wait of a sink whose dead letters are full). Only the engine's events
// are selected (derived, timer.fired), never inputs.
sinks::SinkOptions SinkOptionsOf(const SinkConfig& sink);

}  // namespace keel::server
