// What `keel serve` counts, and its Prometheus text exposition (format
// 0.0.4). Counters are bumped by the serve loop and read by the HTTP
// thread: safe for concurrent use without external synchronization.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/mutex.h"

namespace keel {

class ServeMetrics {
 public:
  std::atomic<uint64_t> events_in{0};         // input events appended
  std::atomic<uint64_t> duplicates{0};        // redelivered or repeated events, acknowledged
  std::atomic<uint64_t> derived_out{0};       // events the outbox delivered to the output topic
  std::atomic<uint64_t> dead_letters{0};      // messages sent to the dead-letter topic
  std::atomic<uint64_t> dead_letter_failures{0};  // dead letters that could not be delivered
  std::atomic<uint64_t> batches{0};           // WriteBatches of input
  std::atomic<uint64_t> parallel_batches{0};  // batches whose partitions were appended on several threads
  std::atomic<uint64_t> timers_fired{0};      // timer.fired events the partition schedulers appended
  std::atomic<uint64_t> assigned_partitions{0};

  // One batch: from its first message polled to its WriteBatch written.
  void ObserveBatch(std::chrono::microseconds latency);
  // The messages of a partition not yet consumed (high watermark - position).
  void SetLag(const std::string& topic, int32_t partition, int64_t lag);
  // When a partition's earliest pending timer falls due (microseconds since
  // the epoch), or nullopt when it has none pending.
  void SetNextTimerDue(const std::string& topic, int32_t partition, std::optional<int64_t> micros);
  void ForgetPartition(const std::string& topic, int32_t partition);

  std::string PrometheusText() const;

 private:
  // Upper bounds in seconds; the last bucket is +Inf.
  static constexpr std::array<double, 10> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                     0.025,  0.05,  0.1,    0.25,  1.0};
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> latency_sum_micros_{0};
  std::atomic<uint64_t> latency_count_{0};

  mutable Mutex partition_mu_;
  std::map<std::pair<std::string, int32_t>, int64_t> lag_ GUARDED_BY(partition_mu_);
  std::map<std::pair<std::string, int32_t>, int64_t> next_timer_due_ GUARDED_BY(partition_mu_);
};

// A label value as the Prometheus text format writes it: backslash, double
// quote and newline escaped.
std::string PrometheusLabelValue(const std::string& text);

}  // namespace keel
