// A SinkRunner (connectors/sinks/sink_runner.h) as a follower of its log's
// writer (engine/log/append_follower.h): the writer wakes it after each
// Append and stores its cursor with the next one. The same adapter serves
// the embedded log (LocalIngest) and each Kafka partition's log.
#pragma once

#include <memory>

#include "connectors/sinks/sink_runner.h"
#include "engine/log/append_follower.h"

namespace keel::server {

// `runner` must outlive the follower's last call: remove the follower from
// its AppendFollowers (or close the writer) before the runner goes.
std::shared_ptr<AppendFollower> SinkFollower(sinks::SinkRunner* runner);

}  // namespace keel::server
