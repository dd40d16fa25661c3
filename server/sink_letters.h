// The sinks' side of `keel deliveries redrive`: each dead letter's event is
// sent again through its sink's channel as serve.yaml configures it now, and
// what the receiver answers is appended through the local log's ingest, as
// serve appends it. Embedded mode only (the log is the one in DATA/log).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/sinks/sink_dead_letters.h"
#include "connectors/sinks/sink_runner.h"
#include "engine/expression.h"
#include "server/local_ingest.h"
#include "server/serve_config.h"
#include "server/sink_config.h"

namespace keel::server {

// Where the sinks keep their dead letters: DATA/sink-dead-letters.
std::filesystem::path SinkDeadLetterDir(const std::string& data);

// Appends answer events through `ingest` and waits until they are durable.
// An event the log refuses (its schema, a conflict) fails the whole answer
// with InvalidArgument naming the event and why: the runner then gives the
// event up as a dead letter instead of sending it again.
sinks::AnswerAppender LocalAnswerAppender(LocalIngest* ingest);

struct SinkRedriven {
  std::string id;
  bool delivered = false;  // and the letter removed
  std::string detail;
};

// Sends the letters `ids` (every one when empty) again, oldest first, each
// through the channel `builders` make for its sink (email sinks' too when
// `builders` has none: with the people files serve.yaml names). A
// letter whose sink serve.yaml no longer has, or whose channel cannot be
// built, stays, with the reason in its outcome. NotFound for an id that is
// no letter.
Result<std::vector<SinkRedriven>> RedriveSinkLetters(const ServeConfig& config, LocalIngest* ingest,
                                                     const ExpressionCompiler* compiler,
                                                     const SinkChannelBuilders& builders,
                                                     const std::vector<std::string>& ids);

}  // namespace keel::server
