#include "connectors/sinks/sink_metrics.h"

#include <cstdio>

#include "connectors/serve_metrics.h"

namespace keel::sinks {
namespace {

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f", value);
  return text;
}

}  // namespace

std::string SinkPrometheusText(std::span<const SinkMetrics> sinks) {
  struct Family {
    const char* name;
    const char* type;
    const char* help;
    std::string (*value)(const SinkMetrics&);
  };
  static const Family kFamilies[] = {
      {"keel_sink_delivered_total", "counter", "Events a sink delivered (the receiver accepted them).",
       [](const SinkMetrics& m) { return std::to_string(m.delivered); }},
      {"keel_sink_ignored_total", "counter", "Events a sink's channel had nothing to send for (counted as delivered).",
       [](const SinkMetrics& m) { return std::to_string(m.ignored); }},
      {"keel_sink_retried_total", "counter", "Failed tries a sink tries again after a backoff.",
       [](const SinkMetrics& m) { return std::to_string(m.retried); }},
      {"keel_sink_dead_lettered_total", "counter", "Events a sink gave up on and kept in its dead letters.",
       [](const SinkMetrics& m) { return std::to_string(m.dead_lettered); }},
      {"keel_sink_condition_errors_total", "counter", "Events a sink's `if` could not be evaluated on (not sent).",
       [](const SinkMetrics& m) { return std::to_string(m.condition_errors); }},
      {"keel_sink_lag_events", "gauge", "The log's head seq minus the sink's cursor.",
       [](const SinkMetrics& m) { return std::to_string(m.lag_events); }},
      {"keel_sink_oldest_undelivered_seconds", "gauge",
       "How long the oldest event a sink has read and not yet delivered has waited (0: none).",
       [](const SinkMetrics& m) { return Number(m.oldest_undelivered_seconds); }},
      {"keel_sink_pending_events", "gauge", "Selected events a sink has read ahead and not yet delivered.",
       [](const SinkMetrics& m) { return std::to_string(m.pending); }},
      {"keel_sink_stalled_events", "gauge",
       "Events a sink holds back because its dead letters are full (it does not pass them).",
       [](const SinkMetrics& m) { return std::to_string(m.stalled); }},
  };
  std::string text;
  if (sinks.empty()) return text;
  for (const Family& family : kFamilies) {
    text += std::string("# HELP ") + family.name + " " + family.help + "\n";
    text += std::string("# TYPE ") + family.name + " " + family.type + "\n";
    for (const SinkMetrics& sink : sinks) {
      text += std::string(family.name) + "{sink=\"" + PrometheusLabelValue(sink.sink) + "\"} " + family.value(sink) + "\n";
    }
  }
  return text;
}

}  // namespace keel::sinks
