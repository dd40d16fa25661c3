// The `sinks:` of serve.yaml running inside `keel serve`: each log (the
// embedded DATA/log, or each assigned Kafka partition's) gets a SinkRunner
// per sink (LogSinks), which follows the log's writer (sink_follower.h), so
// that its cursor is stored in that log. What the runners of every log share
// (the channels' makers, the people files, the sinks' dead letters, where
// answers go) is SinkServeParts, built once when serve starts.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/sinks/sink_dead_letters.h"
#include "connectors/sinks/sink_metrics.h"
#include "connectors/sinks/sink_runner.h"
#include "connectors/webhooks/people.h"
#include "engine/expression.h"
#include "engine/log/append_follower.h"
#include "engine/schema/schema_registry.h"
#include "server/sink_config.h"

namespace keel::server {

// serve.yaml's `people:` loaded: workspace -> its people file.
using LoadedPeople = std::map<std::string, std::shared_ptr<const webhooks::PeopleFile>, std::less<>>;
Result<LoadedPeople> LoadPeopleFiles(const std::map<std::string, std::string>& files);

// Every kind of channel serve builds (webhook, slack, teams, email, http),
// for the sinks of `log`: an http sink's mapping reads the subject's state
// there. `people` (recipients, identities) and `schemas` must outlive the
// channels; `log` may be nullptr (no state: `entity` is null).
SinkChannelBuilders ServeChannelBuilders(const EventLog* log, const LoadedPeople* people,
                                         const SchemaRegistry* schemas);

// The real HTTP client of a sink's options (libcurl).
SinkChannelContext ServeChannelContext(const ExpressionCompiler* compiler);

struct SinkServeParts {
  std::vector<SinkConfig> sinks;
  const ExpressionCompiler* compiler = nullptr;  // must outlive the runners
  const SchemaRegistry* schemas = nullptr;       // must outlive the runners
  const LoadedPeople* people = nullptr;          // must outlive the runners
  sinks::SinkDeadLetterStore* dead_letters = nullptr;  // must outlive the runners
  // Where the answers of a log's sinks go (the local log, or the input topic).
  sinks::AnswerAppender append_answers;
};

// Builds every sink's channel once, without a log, so that a sink that cannot
// work (a secret not set, a mapping that does not load) stops serve at start,
// and logs each sink's warnings (SinkConfigWarnings).
Status CheckSinks(const SinkServeParts& parts);

// The runners of one log's sinks.
class LogSinks {
 public:
  // One runner per sink, its channel built for `log`, each added to
  // `followers` (the log writer's); started by Start. `log`, `followers` and
  // `parts` must outlive it.
  static Result<std::unique_ptr<LogSinks>> Create(const SinkServeParts& parts, EventLog* log,
                                                  AppendFollowers* followers);
  // Stops the runners, then takes them off the writer.
  ~LogSinks();
  LogSinks(const LogSinks&) = delete;
  LogSinks& operator=(const LogSinks&) = delete;

  void Start();
  // Stops the runners; the writer still stores their last cursors (its
  // next Append, or its Close). Idempotent.
  void Stop();

  std::vector<sinks::SinkMetrics> Metrics() const;

 private:
  explicit LogSinks(AppendFollowers* followers) : followers_(followers) {}

  AppendFollowers* followers_;
  std::vector<std::unique_ptr<sinks::SinkRunner>> runners_;
  std::vector<std::shared_ptr<AppendFollower>> following_;
};

// Sums the metrics of one sink over several logs (a sink runs once per Kafka
// partition): counters and lags add, the oldest wait is the longest.
std::vector<sinks::SinkMetrics> MergeSinkMetrics(const std::vector<sinks::SinkMetrics>& metrics);

}  // namespace keel::server
