#include "connectors/serve_metrics.h"

#include <gtest/gtest.h>

#include "connectors/json_log.h"
#include <nlohmann/json.hpp>

namespace keel {
namespace {

using std::chrono::microseconds;

bool Has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

TEST(ServeMetricsTest, CountersAreExposedWithHelpAndType) {
  ServeMetrics metrics;
  metrics.events_in += 7;
  metrics.dead_letters += 2;
  std::string text = metrics.PrometheusText();
  EXPECT_TRUE(Has(text, "# TYPE keel_events_in_total counter")) << text;
  EXPECT_TRUE(Has(text, "keel_events_in_total 7")) << text;
  EXPECT_TRUE(Has(text, "keel_dead_letters_total 2")) << text;
  EXPECT_TRUE(Has(text, "keel_derived_out_total 0")) << text;
}

TEST(ServeMetricsTest, HistogramBucketsAreCumulative) {
  ServeMetrics metrics;
  metrics.ObserveBatch(microseconds(300));      // <= 0.0005
  metrics.ObserveBatch(microseconds(4000));     // <= 0.005
  metrics.ObserveBatch(microseconds(2000000));  // only +Inf
  std::string text = metrics.PrometheusText();
  EXPECT_TRUE(Has(text, "keel_batch_latency_seconds_bucket{le=\"0.0005\"} 1")) << text;
  EXPECT_TRUE(Has(text, "keel_batch_latency_seconds_bucket{le=\"0.005\"} 2")) << text;
  EXPECT_TRUE(Has(text, "keel_batch_latency_seconds_bucket{le=\"1\"} 2")) << text;
  EXPECT_TRUE(Has(text, "keel_batch_latency_seconds_bucket{le=\"+Inf\"} 3")) << text;
  EXPECT_TRUE(Has(text, "keel_batch_latency_seconds_count 3")) << text;
  EXPECT_TRUE(Has(text, "keel_batch_latency_seconds_sum 2.0043")) << text;
}

TEST(ServeMetricsTest, LagIsLabelledByTopicAndPartitionAndForgottenOnRevocation) {
  ServeMetrics metrics;
  metrics.SetLag("work\"events", 2, 40);
  std::string text = metrics.PrometheusText();
  EXPECT_TRUE(Has(text, "keel_consumer_lag{topic=\"work\\\"events\",partition=\"2\"} 40")) << text;
  metrics.ForgetPartition("work\"events", 2);
  EXPECT_EQ(metrics.PrometheusText().find("keel_consumer_lag{"), std::string::npos);
}

TEST(ServeMetricsTest, TimersFiredAndTheNextDueTimeOfEachPartition) {
  ServeMetrics metrics;
  metrics.timers_fired += 3;
  metrics.SetNextTimerDue("in", 1, 1772445600123456);  // 2026-03-02T10:00:00.123456Z
  std::string text = metrics.PrometheusText();
  EXPECT_TRUE(Has(text, "# TYPE keel_timers_fired_total counter")) << text;
  EXPECT_TRUE(Has(text, "keel_timers_fired_total 3")) << text;
  EXPECT_TRUE(Has(text, "# TYPE keel_next_timer_due_seconds gauge")) << text;
  EXPECT_TRUE(Has(text, "keel_next_timer_due_seconds{topic=\"in\",partition=\"1\"} 1772445600.123")) << text;
  metrics.SetNextTimerDue("in", 1, std::nullopt);  // none pending
  EXPECT_EQ(metrics.PrometheusText().find("keel_next_timer_due_seconds{"), std::string::npos);
  metrics.SetNextTimerDue("in", 1, 1772445600000000);
  metrics.ForgetPartition("in", 1);
  EXPECT_EQ(metrics.PrometheusText().find("keel_next_timer_due_seconds{"), std::string::npos);
}

TEST(JsonLogTest, ALineIsOneJsonObjectWithTimeLevelMessageAndFields) {
  std::string line = FormatLogLine(LogLevel::kWarning, "dead letter", {{"reason", "bad \"json\""}});
  ASSERT_EQ(line.back(), '\n');
  nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["level"], "warning");
  EXPECT_EQ(parsed["msg"], "dead letter");
  EXPECT_EQ(parsed["reason"], "bad \"json\"");
  EXPECT_EQ(parsed["time"].get<std::string>().size(), 24u);  // 2026-03-02T09:00:00.000Z
}

}  // namespace
}  // namespace keel
