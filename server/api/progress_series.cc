#include "server/api/progress_series.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/canonical_json.h"
#include "engine/log/projection.h"

namespace keel::api {
namespace {

constexpr std::string_view kProgressReported = "key_result.progress_reported";

struct Step {
  int64_t time_micros;
  std::optional<double> progress;  // the share after the event
};

// Folds the stream once, keeping the share after each event; the raw value
// and who wrote it ride along so the share reads each writer's scale.
class StepRecorder {
 public:
  void operator()(const Event& event, const EntityState& after) {
    std::string_view raw = after.Get("progress");
    if (raw != raw_) {
      raw_ = std::string(raw);
      as_share_ = event.type == kProgressReported;
    }
    if (!steps_.empty() && event.time_micros < steps_.back().time_micros) in_time_order_ = false;
    steps_.push_back({event.time_micros, ProgressShare(raw_, as_share_)});
  }
  const std::vector<Step>& steps() const { return steps_; }
  bool in_time_order() const { return in_time_order_; }

 private:
  std::string raw_;
  bool as_share_ = false;
  bool in_time_order_ = true;
  std::vector<Step> steps_;
};

// The last step dated at or before `time`; REQUIRES: steps in time order.
std::optional<double> ShareAt(const std::vector<Step>& steps, int64_t time) {
  auto after = std::upper_bound(steps.begin(), steps.end(), time,
                                [](int64_t t, const Step& step) { return t < step.time_micros; });
  return after == steps.begin() ? std::nullopt : std::prev(after)->progress;
}

}  // namespace

std::vector<int64_t> EvenlySpacedTimes(int64_t from_micros, int64_t to_micros, int count) {
  if (count <= 1) return {to_micros};
  std::vector<int64_t> times;
  times.reserve(count);
  // In long double, so that the steps add up to exactly `to` at the end.
  long double span = static_cast<long double>(to_micros) - static_cast<long double>(from_micros);
  for (int i = 0; i < count; ++i) {
    times.push_back(i == count - 1 ? to_micros : from_micros + static_cast<int64_t>(span * i / (count - 1)));
  }
  return times;
}

std::optional<double> ProgressShare(std::string_view raw, bool written_as_share) {
  double value = 0;
  if (raw.empty() || !ParseJsonNumber(raw, &value) || std::isnan(value)) return std::nullopt;
  double share = std::clamp(written_as_share ? value : value / 100.0, 0.0, 1.0);
  return std::round(share * 10000.0) / 10000.0;
}

Result<ProgressSeries> ProgressOverTime(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                                        const std::vector<int64_t>& times) {
  StepRecorder recorder;
  KEEL_RETURN_IF_ERROR(
      StateAsOf(log, workspace, entity, AsOf{}, [&](const Event& e, const EntityState& s) { recorder(e, s); })
          .status());
  ProgressSeries series;
  if (!recorder.steps().empty()) series.now = recorder.steps().back().progress;
  series.at.reserve(times.size());
  if (recorder.in_time_order()) {
    for (int64_t time : times) series.at.push_back(ShareAt(recorder.steps(), time));
    return series;
  }
  // A stream whose events are not in time order (a late report of an earlier
  // change): the fold up to a time skips the later-dated events wherever they
  // sit, so each point is a fold of its own.
  for (int64_t time : times) {
    StepRecorder upto;
    KEEL_RETURN_IF_ERROR(StateAsOf(log, workspace, entity, AsOf{UINT64_MAX, time},
                                   [&](const Event& e, const EntityState& s) { upto(e, s); })
                             .status());
    series.at.push_back(upto.steps().empty() ? std::nullopt : upto.steps().back().progress);
  }
  return series;
}

}  // namespace keel::api
