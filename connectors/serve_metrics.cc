#include "connectors/serve_metrics.h"

#include <cstdio>

namespace keel {
namespace {

void Counter(std::string* out, const char* name, const char* help, uint64_t value) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name + " " +
          std::to_string(value) + "\n";
}

std::string Seconds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// Every digit of a Unix time, to the millisecond (%g would keep six).
std::string UnixSeconds(int64_t micros) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(micros) / 1e6);
  return text;
}

std::string PartitionLabels(const std::pair<std::string, int32_t>& where) {
  return "{topic=\"" + PrometheusLabelValue(where.first) + "\",partition=\"" + std::to_string(where.second) + "\"}";
}

}  // namespace

void ServeMetrics::ObserveBatch(std::chrono::microseconds latency) {
  double seconds = static_cast<double>(latency.count()) / 1e6;
  size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_micros_.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
}

void ServeMetrics::SetLag(const std::string& topic, int32_t partition, int64_t lag) {
  MutexLock lock(&partition_mu_);
  lag_[{topic, partition}] = lag;
}

void ServeMetrics::SetNextTimerDue(const std::string& topic, int32_t partition, std::optional<int64_t> micros) {
  MutexLock lock(&partition_mu_);
  if (micros) {
    next_timer_due_[{topic, partition}] = *micros;
  } else {
    next_timer_due_.erase({topic, partition});
  }
}

void ServeMetrics::ForgetPartition(const std::string& topic, int32_t partition) {
  MutexLock lock(&partition_mu_);
  lag_.erase({topic, partition});
  next_timer_due_.erase({topic, partition});
}

std::string ServeMetrics::PrometheusText() const {
  std::string out;
  Counter(&out, "keel_events_in_total", "Input events appended to a partition log.", events_in.load());
  Counter(&out, "keel_duplicates_total", "Input events already in the log, acknowledged without change.",
          duplicates.load());
  Counter(&out, "keel_derived_out_total", "Events the outbox relay delivered to the output topic.",
          derived_out.load());
  Counter(&out, "keel_dead_letters_total", "Messages sent to the dead-letter topic.", dead_letters.load());
  Counter(&out, "keel_dead_letter_failures_total", "Dead letters the producer could not deliver.",
          dead_letter_failures.load());
  Counter(&out, "keel_batches_total", "WriteBatches of input messages.", batches.load());
  Counter(&out, "keel_parallel_batches_total",
          "Batches whose partitions were appended on several threads at once (ingest_threads).",
          parallel_batches.load());
  Counter(&out, "keel_timers_fired_total", "Due timers fired as timer.fired events.", timers_fired.load());
  out += "# HELP keel_assigned_partitions Input partitions this instance holds.\n"
         "# TYPE keel_assigned_partitions gauge\nkeel_assigned_partitions " +
         std::to_string(assigned_partitions.load()) + "\n";
  out += "# HELP keel_consumer_lag Messages of an input partition not yet consumed.\n"
         "# TYPE keel_consumer_lag gauge\n";
  {
    MutexLock lock(&partition_mu_);
    for (const auto& [where, lag] : lag_) {
      out += "keel_consumer_lag" + PartitionLabels(where) + " " + std::to_string(lag) + "\n";
    }
    // A gauge of a time, not a count of pending timers: counting them
    // would mean scanning the timers family, which may hold millions.
    out += "# HELP keel_next_timer_due_seconds When a partition's earliest pending timer falls due (Unix time).\n"
           "# TYPE keel_next_timer_due_seconds gauge\n";
    for (const auto& [where, micros] : next_timer_due_) {
      out += "keel_next_timer_due_seconds" + PartitionLabels(where) + " " + UnixSeconds(micros) + "\n";
    }
  }
  out += "# HELP keel_batch_latency_seconds From a batch's first message polled to its WriteBatch written.\n"
         "# TYPE keel_batch_latency_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string bound = i < kBounds.size() ? Seconds(kBounds[i]) : "+Inf";
    out += "keel_batch_latency_seconds_bucket{le=\"" + bound + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += "keel_batch_latency_seconds_sum " + Seconds(static_cast<double>(latency_sum_micros_.load()) / 1e6) + "\n";
  out += "keel_batch_latency_seconds_count " + std::to_string(latency_count_.load()) + "\n";
  return out;
}

std::string PrometheusLabelValue(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '\\' || c == '"') escaped.push_back('\\');
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped.push_back(c);
  }
  return escaped;
}

}  // namespace keel
