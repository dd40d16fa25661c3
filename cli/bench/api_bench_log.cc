#include "cli/bench/api_bench_log.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/progress.h"
#include "engine/json_time.h"
#include "engine/log/event_log.h"
#include "engine/log/event_record.h"
#include "rules/react/ruleset_store.h"

namespace keel::cli {
namespace {

using nlohmann::json;

constexpr char kStart[] = "2026-01-05T00:00:00Z";
constexpr int64_t kQuarterMicros = int64_t{90} * 86400 * 1000000;
constexpr size_t kBatch = 1000;
constexpr int kPeople = 50;

// The rules whose events the writer records in their place (pack 02's two
// roll-ups): activated, so the log's derived events name a real rule set.
constexpr char kRollUpRules[] = R"(rules:
  - id: task-to-key-result
    description: A key result's progress is the share of its contributing tasks that are done.
    on: [task.created, task.status_changed, task.linked, task.archived]
    if: has(entity.links) && entity.links.exists(l, l.relation == "contributes_to")
    then:
      - roll_up: {from: tasks, relation: contributes_to, to: linked, done_statuses: [done]}
  - id: key-result-to-objective
    description: An objective's progress is the mean progress of its key results.
    on: key_result.updated
    if: '"progress" in event.data.changes && has(entity.parent)'
    then:
      - roll_up: {from: key_results, to: parent}
)";

// A progress value as the roll-ups write it: two decimals, a whole number
// without a fraction (canonical JSON).
json ProgressNumber(double value) {
  double rounded = std::round(value * 100.0) / 100.0;
  if (rounded == std::floor(rounded)) return static_cast<int64_t>(rounded);
  return rounded;
}

std::string Person(uint64_t n) { return "user:u" + std::to_string(n % kPeople); }

// One workspace's events, step by step: its OKR tree first, then
// background work with an OKR task moving every so often.
class WorkspaceWriter {
 public:
  WorkspaceWriter(std::string name, const ApiBenchShape& shape, std::string ruleset_hash, uint64_t budget)
      : name_(std::move(name)), shape_(shape), hash_(std::move(ruleset_hash)) {
    key_results_ = shape.goals * shape.key_results_per_goal;
    initiatives_ = key_results_ * shape.initiatives_per_key_result;
    okr_tasks_ = initiatives_ * shape.tasks_per_initiative;
    kr_done_.assign(key_results_, 0);
    kr_progress_.assign(key_results_, 0.0);
    goal_progress_.assign(shape.goals, std::nullopt);
    uint64_t okr_events = uint64_t{4} * okr_tasks_;  // two status changes, two roll-ups
    okr_every_ = std::max<uint64_t>(1, budget > okr_events ? budget / (2 * okr_tasks_) : 1);
  }

  const std::string& name() const { return name_; }
  int okr_tasks() const { return okr_tasks_; }
  // Every entity the requests read exists (a small --events still makes them).
  bool set_up() const { return setup_ >= SetupSteps(); }

  // The next step's events (one to four), dated `time`.
  void Next(const std::string& time, std::vector<json>* out) {
    time_ = &time;
    out_ = out;
    if (setup_ < SetupSteps()) {
      Setup(setup_++);
    } else if (++steps_ % okr_every_ == 0 && okr_op_ < 2 * okr_tasks_) {
      OkrStep(okr_op_++);
    } else {
      Background(background_++);
    }
  }

  std::vector<std::string> SampleTasks() const {
    std::vector<std::string> ids;
    for (int t = 0; t < okr_tasks_; t += 7) ids.push_back(OkrTask(t));
    for (uint64_t b = 0; b < background_ / 5; b += 97) ids.push_back("B-" + std::to_string(b));
    return ids;
  }
  std::vector<std::string> BusyTasks() const {
    std::vector<std::string> ids;
    for (int b = 0; b < shape_.busy_tasks; ++b) ids.push_back("BUSY-" + std::to_string(b));
    return ids;
  }

 private:
  int SetupSteps() const { return shape_.goals + key_results_ + initiatives_ + okr_tasks_ + shape_.busy_tasks; }
  static std::string Goal(int g) { return "O-" + std::to_string(g); }
  static std::string KeyResult(int k) { return "KR-" + std::to_string(k); }
  static std::string Initiative(int i) { return "IN-" + std::to_string(i); }
  static std::string OkrTask(int t) { return "T-" + std::to_string(t); }
  int KeyResultOfTask(int t) const { return t / shape_.tasks_per_initiative / shape_.initiatives_per_key_result; }
  int GoalOfKeyResult(int k) const { return k / shape_.key_results_per_goal; }

  json& Emit(const std::string& type, const std::string& subject, json data, const std::string& actor) {
    out_->push_back({{"specversion", "1.0"}, {"id", "e-" + std::to_string(++ids_)}, {"source", "bench/api"},
                     {"type", type}, {"time", *time_}, {"subject", subject}, {"workspace", name_},
                     {"actor", actor}, {"data", std::move(data)}});
    return out_->back();
  }
  // As a rule would derive it from `trigger`.
  void Derive(const json& trigger, const std::string& rule, const std::string& type, const std::string& subject,
              json data) {
    std::string cause = trigger["id"];
    json& event = Emit(type, subject, std::move(data), "rule:" + rule);
    event["causationid"] = cause;
    event["ruleid"] = rule;
    event["rulesethash"] = hash_;
  }

  void Setup(int step) {
    std::string due = FormatRfc3339Micros(*TryParseRfc3339Micros(kStart) + kQuarterMicros).value_or(kStart);
    if (step < shape_.goals) {
      Emit("goal.created", "goal/" + Goal(step),
           {{"title", "Objective " + std::to_string(step) + " of " + name_}, {"status", "active"},
            {"owner", Person(step)}, {"target", 75}, {"unit", "%"}, {"due", due}},
           Person(step));
      return;
    }
    step -= shape_.goals;
    if (step < key_results_) {
      Emit("key_result.created", "key_result/" + KeyResult(step),
           {{"title", "Key result " + std::to_string(step)}, {"parent", "goal/" + Goal(GoalOfKeyResult(step))},
            {"owner", Person(step + 7)}, {"status", "active"}},
           Person(step));
      return;
    }
    step -= key_results_;
    if (step < initiatives_) {
      int kr = step / shape_.initiatives_per_key_result;
      Emit("initiative.created", "initiative/" + Initiative(step),
           {{"title", "Initiative " + std::to_string(step)}, {"status", "in_progress"}, {"owner", Person(step + 3)},
            {"links", json::array({{{"relation", "supports"}, {"target", "key_result/" + KeyResult(kr)}}})}},
           Person(step + 3));
      return;
    }
    step -= initiatives_;
    if (step < okr_tasks_) {
      Emit("task.created", "task/" + OkrTask(step),
           {{"title", "OKR task " + std::to_string(step)}, {"status", "todo"},
            {"parent", "initiative/" + Initiative(step / shape_.tasks_per_initiative)}, {"assignee", Person(step)},
            {"links", json::array({{{"relation", "contributes_to"},
                                    {"target", "key_result/" + KeyResult(KeyResultOfTask(step))}}})}},
           Person(step));
      return;
    }
    step -= okr_tasks_;
    Emit("task.created", "task/BUSY-" + std::to_string(step),
         {{"title", "Busy task " + std::to_string(step)}, {"status", "in_progress"}, {"assignee", Person(step)}},
         Person(step));
  }

  // Each OKR task moves to in_progress (first pass), then to done (second
  // pass), which rolls up into its key result and that one's objective.
  void OkrStep(int op) {
    int task = op % okr_tasks_;
    bool done = op >= okr_tasks_;
    const std::string from = done ? "in_progress" : "todo", to = done ? "done" : "in_progress";
    json trigger = Emit("task.status_changed", "task/" + OkrTask(task), {{"from", from}, {"to", to}}, Person(task));
    if (!done) return;
    int kr = KeyResultOfTask(task);
    int per_kr = shape_.initiatives_per_key_result * shape_.tasks_per_initiative;
    double before = kr_progress_[kr];
    kr_progress_[kr] = std::round(10000.0 * ++kr_done_[kr] / per_kr) / 100.0;
    json kr_change = {{"to", ProgressNumber(kr_progress_[kr])}};
    if (kr_done_[kr] > 1) kr_change["from"] = ProgressNumber(before);
    Derive(trigger, "task-to-key-result", "key_result.updated", "key_result/" + KeyResult(kr),
           {{"changes", {{"progress", kr_change}}}});
    json kr_event = out_->back();
    int goal = GoalOfKeyResult(kr);
    double sum = 0;
    for (int k = goal * shape_.key_results_per_goal; k < (goal + 1) * shape_.key_results_per_goal; ++k) {
      sum += kr_progress_[k];
    }
    json goal_change = {{"to", ProgressNumber(sum / shape_.key_results_per_goal)}};
    if (goal_progress_[goal]) goal_change["from"] = ProgressNumber(*goal_progress_[goal]);
    goal_progress_[goal] = sum / shape_.key_results_per_goal;
    Derive(kr_event, "key-result-to-objective", "goal.updated", "goal/" + Goal(goal),
           {{"changes", {{"progress", goal_change}}}});
  }

  // Background work: each task of five steps is created, started, assigned
  // to someone else and done, while a busy task gets an update.
  void Background(uint64_t op) {
    uint64_t n = op / 5;
    std::string subject = "task/B-" + std::to_string(n);
    switch (op % 5) {
      case 0:
        Emit("task.created", subject,
             {{"title", "Background task " + std::to_string(n)}, {"status", "todo"}, {"assignee", Person(n)},
              {"priority", n % 3 == 0 ? "high" : "normal"}},
             Person(n));
        break;
      case 1:
        Emit("task.status_changed", subject, {{"from", "todo"}, {"to", "in_progress"}}, Person(n));
        break;
      case 2:
        Emit("task.updated", "task/BUSY-" + std::to_string(n % shape_.busy_tasks),
             {{"changes", {{"estimate", {{"to", static_cast<int64_t>(n)}}}}}}, Person(n + 1));
        break;
      case 3:
        Emit("task.assigned", subject, {{"from", Person(n)}, {"to", Person(n + 1)}}, Person(n + 2));
        break;
      default:
        Emit("task.status_changed", subject, {{"from", "in_progress"}, {"to", "done"}}, Person(n + 1));
        break;
    }
  }

  std::string name_;
  ApiBenchShape shape_;
  std::string hash_;
  int key_results_ = 0, initiatives_ = 0, okr_tasks_ = 0;
  std::vector<int> kr_done_;
  std::vector<double> kr_progress_;
  std::vector<std::optional<double>> goal_progress_;
  uint64_t okr_every_ = 1;
  int setup_ = 0;
  int okr_op_ = 0;
  uint64_t steps_ = 0, background_ = 0, ids_ = 0;
  const std::string* time_ = nullptr;
  std::vector<json>* out_ = nullptr;
};

Status AppendBatch(EventLog& log, std::vector<json>* pending) {
  std::vector<AppendRequest> group;
  group.reserve(pending->size());
  for (const json& event : *pending) {
    KEEL_ASSIGN_OR_RETURN(Event decoded, EventFromCanonical(event.dump()));
    group.push_back({std::move(decoded), std::nullopt});
  }
  pending->clear();
  KEEL_ASSIGN_OR_RETURN(std::vector<AppendResult> results, log.Append(std::move(group)));
  for (const AppendResult& result : results) {
    if (result.outcome != AppendOutcome::kAppended) {
      return Status::Internal("the benchmark's log refused one of its events: " + result.error.ToString());
    }
  }
  return Status::OK();
}

}  // namespace

Result<ApiBenchLog> WriteApiBenchLog(const std::filesystem::path& db, const ApiBenchShape& shape) {
  auto start = std::chrono::steady_clock::now();
  KEEL_ASSIGN_OR_RETURN(rules::RuleSet set, rules::RuleSet::LoadFromSources({{"rules/roll-ups.yaml", kRollUpRules}}));
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  KEEL_ASSIGN_OR_RETURN(auto log, EventLog::Open(db, options));
  KEEL_RETURN_IF_ERROR(rules::ActivateRuleSet(*log, set, kStart).status());

  std::vector<std::unique_ptr<WorkspaceWriter>> writers;
  const uint64_t budget = shape.events / static_cast<uint64_t>(shape.workspaces);
  for (int w = 0; w < shape.workspaces; ++w) {
    writers.push_back(std::make_unique<WorkspaceWriter>("ws-" + std::to_string(w), shape, set.hash(), budget));
  }
  // One clock for every workspace, a quarter long, so that times rise with seqs.
  const int64_t start_micros = *TryParseRfc3339Micros(kStart);
  const int64_t step_micros = std::max<int64_t>(1, kQuarterMicros / static_cast<int64_t>(shape.events));
  Progress progress("bench api (writing the log)");
  std::vector<json> pending;
  uint64_t written = 0, step = 0;
  auto all_set_up = [&writers] {
    return std::all_of(writers.begin(), writers.end(), [](const auto& writer) { return writer->set_up(); });
  };
  while (written < shape.events || !all_set_up()) {
    std::string time = FormatRfc3339Micros(start_micros + static_cast<int64_t>(step++) * step_micros).value_or(kStart);
    for (auto& writer : writers) {
      size_t before = pending.size();
      writer->Next(time, &pending);
      written += pending.size() - before;
    }
    if (pending.size() >= kBatch) {
      KEEL_RETURN_IF_ERROR(AppendBatch(*log, &pending));
      progress.Update(written, shape.events);
    }
  }
  KEEL_RETURN_IF_ERROR(AppendBatch(*log, &pending));
  KEEL_RETURN_IF_ERROR(log->Sync());

  ApiBenchLog out;
  out.events = log->Head().seq;
  for (auto& writer : writers) {
    out.workspaces.push_back(writer->name());
    out.tasks.push_back(writer->SampleTasks());
    out.busy_tasks.push_back(writer->BusyTasks());
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace keel::cli
