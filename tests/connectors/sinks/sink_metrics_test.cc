// A sink's lines in /metrics, written out by hand from the Prometheus text
// format (0.0.4).
#include "connectors/sinks/sink_metrics.h"

#include <vector>

#include <gtest/gtest.h>

namespace keel::sinks {
namespace {

TEST(SinkMetricsTest, OneFamilyAtATimeWithALinePerSink) {
  std::vector<SinkMetrics> sinks(2);
  sinks[0] = {.sink = "ops-feed", .delivered = 12, .ignored = 1, .retried = 3, .dead_lettered = 2,
              .condition_errors = 0, .lag_events = 40, .oldest_undelivered_seconds = 1.5, .pending = 7, .stalled = 0};
  sinks[1] = {.sink = "mail", .delivered = 5, .stalled = 1};
  std::string text = SinkPrometheusText(sinks);
  EXPECT_NE(text.find("# HELP keel_sink_delivered_total "), std::string::npos);
  EXPECT_NE(text.find("# TYPE keel_sink_delivered_total counter\n"
                      "keel_sink_delivered_total{sink=\"ops-feed\"} 12\n"
                      "keel_sink_delivered_total{sink=\"mail\"} 5\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("keel_sink_retried_total{sink=\"ops-feed\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("keel_sink_dead_lettered_total{sink=\"ops-feed\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE keel_sink_lag_events gauge\nkeel_sink_lag_events{sink=\"ops-feed\"} 40\n"),
            std::string::npos);
  EXPECT_NE(text.find("keel_sink_oldest_undelivered_seconds{sink=\"ops-feed\"} 1.500\n"), std::string::npos);
  EXPECT_NE(text.find("keel_sink_stalled_events{sink=\"mail\"} 1\n"), std::string::npos);
  EXPECT_EQ(SinkPrometheusText({}), "");
}

}  // namespace
}  // namespace keel::sinks
