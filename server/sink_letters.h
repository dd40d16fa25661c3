// The sinks' side of `keel deliveries redrive`: each dead letter's event is
// sent again through its sink's channel as serve.yaml configures it now, and
// what the receiver answers is appended through the local log's ingest, as
// serve appends it. Embedded mode only (the log is the one in DATA/log).
#pragma once

#include <functional>
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

// With brokers, each partition log's sinks keep their letters beside it:
// DATA/sink-dead-letters-TOPIC-PARTITION.
std::filesystem::path PartitionSinkLetterDir(const std::filesystem::path& data, std::string_view topic,
                                             int32_t partition);

// One partition's folder of letters: `log` is TOPIC-PARTITION.
struct SinkLetterFolder {
  std::string log;
  std::filesystem::path path;
};
// The partitions' folders of letters in `data` (PartitionSinkLetterDir's),
// in name order; none when `data` has none (or is no folder).
std::vector<SinkLetterFolder> PartitionSinkLetterFolders(const std::filesystem::path& data);

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

// With brokers: sends the partitions' letters `ids` (TOPIC-PARTITION/SINK-SEQ;
// every one when empty) again, each event read from its partition log
// (DATA/TOPIC-PARTITION, opened read-only: serve must be stopped) and sent
// through the channel `builders_on` that log makes for its sink; what the
// receiver answers goes through `answers` (produced to the input topic, so
// the partition appends it when serve runs again). NotFound for an id that
// is no letter.
Result<std::vector<SinkRedriven>> RedrivePartitionSinkLetters(
    const ServeConfig& config, const sinks::AnswerAppender& answers, const ExpressionCompiler* compiler,
    const std::function<SinkChannelBuilders(const EventLog*)>& builders_on, const std::vector<std::string>& ids);

}  // namespace keel::server
