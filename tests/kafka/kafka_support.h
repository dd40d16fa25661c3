// What the Kafka tests share: the mock cluster process, `keel serve`
// processes, a test rule pack and configuration, and librdkafka clients to
// produce the input and read the output. Helpers throw std::runtime_error
// with a clear message when something does not happen in time; GoogleTest
// reports it as the test's failure.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/kafka/kafka_cloudevent.h"

namespace keel::testing {

using namespace std::chrono_literals;

// A child process; stdin and stdout are pipes when asked for, stderr goes
// to a file. With `max_file_bytes`, no file it writes may grow past that
// size (RLIMIT_FSIZE; SIGXFSZ ignored, so a write past it fails with EFBIG
// as on a full disk). The destructor kills it (SIGKILL) if it still runs.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stderr_file, bool pipes,
               std::optional<uint64_t> max_file_bytes = std::nullopt);
  ~ChildProcess();
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  void WriteLine(const std::string& line);
  void Signal(int signal);
  // The exit code, or 128 + the signal that ended it; nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffered_;
};

// keel_mock_cluster: 3 brokers on loopback. Its standard error goes to
// LOG_DIR/mock_cluster.log; KEEL_MOCK_DEBUG=mock in the environment fills it
// with the group coordinator's states.
class MockCluster {
 public:
  explicit MockCluster(const std::filesystem::path& log_dir);
  ~MockCluster();
  const std::string& bootstrap() const { return bootstrap_; }
  // Sends one command (see mock_cluster_main.cc) and throws unless it is "ok".
  void Command(const std::string& line);
  void CreateTopic(const std::string& name, int partitions);
  // Ends the cluster, as if every broker were lost at once.
  void Stop();

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string bootstrap_;
};

struct Record {
  std::string key;
  std::string value;
  KafkaHeaders headers;
  int32_t partition = -1;
  int64_t offset = -1;

  std::string Header(const std::string& name) const;
};

// Produces `records` (with the idempotent producer) and waits until every
// one is acknowledged.
void ProduceAll(const std::string& bootstrap, const std::string& topic, const std::vector<Record>& records);

// Reads every partition of `topic` from the beginning until `done` says so
// with what was read; throws with `what` when `timeout` passes first.
std::vector<Record> ConsumeUntil(const std::string& bootstrap, const std::string& topic, int partitions,
                                 const std::function<bool(const std::vector<Record>&)>& done,
                                 std::chrono::milliseconds timeout, const std::string& what);

// A task.created CloudEvent (structured mode) with id `id` in `workspace`.
std::string TaskCreated(const std::string& id, const std::string& workspace);
// `count` task.created events over `workspaces` workspaces ("ws0", ...),
// keyed by workspace, ids PREFIX-0, PREFIX-1, ...
std::vector<Record> TaskEvents(const std::string& prefix, int count, int workspaces = 6);

// A rule pack in `dir`: one rule that adds a comment to every created task,
// so every input event derives exactly one comment.added.
std::filesystem::path WriteCommentRulePack(const std::filesystem::path& dir);

struct ServeSettings {
  std::string bootstrap;
  std::filesystem::path data;
  std::filesystem::path rules;
  std::string input = "work-events";
  std::string output = "keel-out";
  std::string dead_letters = "keel-dead";
  std::string group = "keel";
  int http_port = 0;
  std::map<std::string, std::string> extra;  // more settings, as YAML text
};
std::filesystem::path WriteServeConfig(const std::filesystem::path& file, const ServeSettings& settings);

// `keel serve --config FILE`, its structured log in LOG; `max_file_bytes`
// as for ChildProcess.
class KeelServe {
 public:
  KeelServe(const std::filesystem::path& config, const std::filesystem::path& log,
            std::optional<uint64_t> max_file_bytes = std::nullopt);
  // SIGTERM (or `signal`), then waits; returns the exit code.
  int Stop(int signal = SIGTERM, std::chrono::milliseconds timeout = 30s);
  // Waits for it to end by itself; its exit code, nullopt on timeout.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);
  void Kill();  // SIGKILL, as a crash
  // Waits until the log has a line containing `text`.
  void WaitForLog(const std::string& text, std::chrono::milliseconds timeout);
  std::string LogText() const;

 private:
  std::filesystem::path log_;
  std::unique_ptr<ChildProcess> process_;
};

// Event ids of the records' values (the CloudEvent `id`), and the
// `causationid`s, by JSON parsing.
std::string JsonField(const std::string& json, const std::string& field);

// A free TCP port on loopback.
int FreePort();

// GET http://127.0.0.1:PORT/PATH: status and body; status 0 when no answer.
std::pair<int, std::string> HttpGet(int port, const std::string& path);

// keel_assigned_partitions of the serve whose HTTP port is `port`; -1
// when it does not answer.
int AssignedPartitions(int port);
// Waits until the serves on `ports` hold `expected` partitions each.
void WaitForAssignment(const std::vector<int>& ports, const std::vector<int>& expected,
                       std::chrono::milliseconds timeout);

}  // namespace keel::testing
