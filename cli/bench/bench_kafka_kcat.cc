// kcat's consume rate, the ceiling of `keel bench kafka`. kcat is asked for
// exactly the messages the topic holds, so it never waits on a partition
// whose older messages the mock cluster dropped, and `timeout` bounds it
// whatever happens.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/bench/bench_kafka.h"
#include "connectors/kafka/kafka_client.h"

namespace keel::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kKcat = "/usr/bin/kcat";

// Messages `topic` holds: high minus low watermark of each partition, as
// the cluster answers now.
Result<uint64_t> MessagesHeld(const std::string& bootstrap, const std::string& topic, int partitions) {
  KEEL_ASSIGN_OR_RETURN(KafkaConfig config, KafkaConfig::Make({{"bootstrap.servers", bootstrap}}));
  KEEL_ASSIGN_OR_RETURN(KafkaHandle client, config.Create(RD_KAFKA_PRODUCER));
  uint64_t held = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    KEEL_RETURN_IF_ERROR(KafkaStatus(
        rd_kafka_query_watermark_offsets(client.get(), topic.c_str(), p, &low, &high, 10000),
        "watermarks of " + topic + " [" + std::to_string(p) + "]"));
    held += static_cast<uint64_t>(high - low);
  }
  return held;
}

}  // namespace

Result<KcatCeiling> MeasureKcat(const std::string& bootstrap, const std::string& topic, int partitions,
                                int limit_seconds) {
  if (!std::filesystem::exists(kKcat)) return Status::NotFound(std::string(kKcat) + " is not installed");
  KcatCeiling ceiling;
  KEEL_ASSIGN_OR_RETURN(ceiling.expected, MessagesHeld(bootstrap, topic, partitions));
  if (ceiling.expected == 0) return ceiling;
  std::string command = "timeout -s KILL " + std::to_string(limit_seconds) + " " + kKcat + " -C -q -e -b " +
                        bootstrap + " -t " + topic + " -o beginning -c " + std::to_string(ceiling.expected) +
                        " -f '%s\\n' 2>/dev/null";
  auto start = Clock::now();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return Status::IOError("cannot start kcat");
  // One line per message; the clock runs from the first line to the last,
  // so kcat's start-up (metadata, connections) is not counted as consuming.
  Clock::time_point first, last;
  char buffer[1 << 16];
  ssize_t got;
  // read(), not fread(): what kcat wrote so far, so the times are close.
  while ((got = ::read(::fileno(pipe), buffer, sizeof buffer)) > 0) {
    for (ssize_t i = 0; i < got; ++i) {
      if (buffer[i] != '\n') continue;
      last = Clock::now();
      if (ceiling.messages++ == 0) first = last;
    }
  }
  int status = ::pclose(pipe);
  ceiling.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ceiling.finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  double consuming = std::chrono::duration<double>(last - first).count();
  if (ceiling.messages > 1 && consuming > 0) {
    ceiling.events_per_s = static_cast<double>(ceiling.messages - 1) / consuming;
  }
  return ceiling;
}

}  // namespace keel::cli
