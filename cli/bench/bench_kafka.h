// What `keel bench kafka` (bench_kafka.cc) measures besides keel serve.
#pragma once

#include <cstdint>
#include <string>

#include "engine/status.h"

namespace keel::cli {

// kcat alone consuming a topic: the ceiling keel serve is compared with.
struct KcatCeiling {
  uint64_t messages = 0;        // what kcat printed
  uint64_t expected = 0;        // what the topic held (its watermarks)
  double events_per_s = 0;      // from kcat's first message to its last
  double seconds = 0;           // the whole run, kcat's start-up included
  bool finished = true;         // false: stopped at the time limit
};

// Runs kcat on every message `topic` holds now (watermarks asked first, so
// kcat is told how many to read with -c and never waits for more; -e ends
// it at the end of the partitions; `timeout` kills it past
// `limit_seconds`). NotFound when kcat is not installed.
Result<KcatCeiling> MeasureKcat(const std::string& bootstrap, const std::string& topic, int partitions,
                                int limit_seconds);

}  // namespace keel::cli
