// keel run --rules DIR [--templates DIR] --events FILE|- --db DIR: the
// embedded default. Events from a file go through the rules into the log;
// prints what came in, what the rules derived, and what was refused.
#include <algorithm>
#include <ctime>
#include <iostream>
#include <optional>

#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/terminal_text.h"
#include "cli/commands.h"
#include "connectors/ndjson/ndjson_ingest.h"
#include "cli/rule_pack.h"
#include "cli/terminal_text.h"
#include "engine/json_time.h"
#include "engine/ingest/scheduler.h"
#include "rules/react/attach_rule_set.h"
#include "rules/react/rule_reactor.h"
#include "rules/react/ruleset_store.h"

namespace keel::cli {
namespace {

struct RunFlags {
  std::string rules;
  std::string templates;
  std::string events;
  std::string db;
  std::string sync = "batch";
  std::string clock = "wall";
  std::string until;
  size_t batch = 1000;
  size_t max_event_bytes = size_t{1} << 20;
  int64_t event_time_window = TimeWindow::kDefaultDays;
  int max_depth = 10;
  size_t max_derived = 10000;
  size_t show = 50;
  bool json = false;
};

// What the new part of the log holds, by kind of event.
struct RunReport {
  uint64_t input = 0, derived = 0, halted = 0, failed = 0, tasks_created = 0, timers_fired = 0;
  std::optional<int64_t> next_timer_due;  // the earliest pending timer
  std::vector<StoredEvent> derived_events;  // the first `show` of them
  std::vector<std::string> problems;        // rule.failed and rule.halted reasons
};

Result<RunReport> Summarize(const EventLog& log, uint64_t from, size_t show) {
  RunReport report;
  KEEL_RETURN_IF_ERROR(log.Scan(from, UINT64_MAX, [&](const StoredEvent& stored) {
    const Event& e = stored.event;
    if (e.type == "ruleset.activated") return true;
    if (e.type == "timer.fired") {
      ++report.timers_fired;
      return true;
    }
    if (!e.is_derived()) {
      ++report.input;
      return true;
    }
    if (e.type == "rule.failed" || e.type == "rule.halted") {
      (e.type == "rule.failed" ? report.failed : report.halted)++;
      nlohmann::json data = nlohmann::json::parse(e.data(), nullptr, false);
      report.problems.push_back("seq " + std::to_string(stored.seq) + " " + e.type + " " + e.rule_id + ": " +
                                data.value("reason", std::string()));
      return true;
    }
    ++report.derived;
    if (e.type == "task.created") ++report.tasks_created;
    if (report.derived_events.size() < show) report.derived_events.push_back(stored);
    return true;
  }));
  KEEL_ASSIGN_OR_RETURN(report.next_timer_due, log.NextTimerDue());
  return report;
}

// One line about a derived event: a task's title, assignee and due date;
// otherwise its data.
std::string Summary(const Event& e) {
  nlohmann::json data = nlohmann::json::parse(e.data(), nullptr, false);
  if (!data.is_object() || !data.contains("title") || !data["title"].is_string()) return Abbreviate(e.data(), 90);
  std::string text = "\"" + data["title"].get<std::string>() + "\"";
  if (data.contains("assignee") && data["assignee"].is_string()) text += " for " + data["assignee"].get<std::string>();
  if (data.contains("due") && data["due"].is_string()) text += ", due " + data["due"].get<std::string>().substr(0, 10);
  return text;
}

std::string Padded(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

// The next timer's due time as RFC 3339; nullopt when none is pending.
std::optional<std::string> NextDue(const RunReport& report) {
  return report.next_timer_due ? FormatRfc3339Micros(*report.next_timer_due) : std::nullopt;
}

void PrintText(const RunReport& report, const IngestRun& run, const rules::RuleReactor& reactor,
               uint64_t activated_seq) {
  const rules::RuleSet& set = reactor.rules();
  std::cout << "rule set " << set.hash().substr(0, 12) << " (" << set.rules().size() << " rules): "
            << (activated_seq > 0 ? "activated at seq " + std::to_string(activated_seq) : std::string("already active"))
            << "\n";
  std::cout << "input " << report.input << ", duplicates " << run.counts.duplicates << ", rejected "
            << run.counts.rejected << "\n";
  std::cout << "derived " << report.derived << " (tasks created " << report.tasks_created << "), halted "
            << report.halted << ", failed " << report.failed << "\n";
  std::cout << "timers fired " << report.timers_fired << ", next due "
            << NextDue(report).value_or("none") << "\n";
  std::cout << "fired:";
  if (reactor.stats().fired.empty()) std::cout << " none";
  for (const auto& [rule, count] : reactor.stats().fired) std::cout << " " << TerminalText(rule) << " " << count << ";";
  std::cout << "\n";
  for (const RejectedLine& r : run.rejected) {
    std::cout << "  rejected line " << r.line << ": " << TerminalText(r.reason) << "\n";
  }
  for (const std::string& problem : report.problems) std::cout << "  " << TerminalText(problem) << "\n";
  if (!report.derived_events.empty()) {
    std::cout << "derived events:\n  " << Padded("seq", 5) << Padded("type", 24) << " " << Padded("subject", 26) << " "
              << Padded("rule", 20) << " what\n";
  }
  for (const StoredEvent& stored : report.derived_events) {
    const Event& e = stored.event;
    std::cout << "  " << Padded(std::to_string(stored.seq), 5) << Padded(TerminalText(e.type), 24) << " "
              << Padded(TerminalText(e.subject), 26) << " " << Padded(TerminalText(e.rule_id), 20) << " "
              << TerminalText(Summary(e)) << "\n";
  }
  if (report.derived > report.derived_events.size()) {
    std::cout << "  ... and " << report.derived - report.derived_events.size()
              << " more (keel log --db DIR shows them all)\n";
  }
}

void PrintJsonReport(const RunReport& report, const IngestRun& run, const rules::RuleReactor& reactor) {
  nlohmann::ordered_json fired = nlohmann::ordered_json::object();
  for (const auto& [rule, count] : reactor.stats().fired) fired[rule] = count;
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  for (const RejectedLine& r : run.rejected) errors.push_back({{"line", r.line}, {"reason", r.reason}});
  std::optional<std::string> next_due = NextDue(report);
  PrintJson({{"input", report.input},
             {"derived", report.derived},
             {"rejected", run.counts.rejected},
             {"halted", report.halted},
             {"failed", report.failed},
             {"fired", fired},
             {"duplicates", run.counts.duplicates},
             {"tasks_created", report.tasks_created},
             {"timers_fired", report.timers_fired},
             {"next_timer_due", next_due ? nlohmann::ordered_json(*next_due) : nlohmann::ordered_json(nullptr)},
             {"ruleset", reactor.rules().hash()},
             {"errors", errors}});
}

int RunRun(const RunFlags& flags) {
  auto sync = ParseSyncMode(flags.sync);
  if (!sync.ok()) return ReportError("run", sync.status());
  std::optional<int64_t> until;
  if (!flags.until.empty()) {
    auto parsed = ParseRfc3339Micros(flags.until);
    if (!parsed.ok()) return ReportError("run", parsed.status().WithContext("--until"));
    until = *parsed;
  }
  const bool event_clock = flags.clock == "events";
  Result<rules::RuleSet> set = LoadRuleSetForRun(ResolveRulePack(flags.rules, flags.templates));
  if (!set.ok()) return ReportError("run", set.status());
  auto schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) return ReportError("run", schemas.status());
  if (Status s = set->RegisterCustomEventTypes(**schemas); !s.ok()) return ReportError("run", s);
  auto reader = NdjsonReader::Open(flags.events, flags.max_event_bytes);
  if (!reader.ok()) return ReportError("run", reader.status());
  LogOptions options;
  options.create_if_missing = true;
  options.sync = *sync;
  options.max_cascade_depth = flags.max_depth;
  options.max_derived_per_input = flags.max_derived;
  options.fire_timers_at_event_time = event_clock;
  auto log = EventLog::Open(flags.db, options);
  if (!log.ok()) return ReportError("run", log.status());

  auto reactor = rules::AttachRuleSet(**log, *set, schemas->get());
  uint64_t first_new_seq = (*log)->Head().seq + 1;
  uint64_t activated_seq = 0;
  bool active = false;
  IngestLoopOptions loop;
  loop.batch = flags.batch;
  loop.max_event_bytes = flags.max_event_bytes;
  // The wall clock fires what falls due between groups, and at the end; the
  // event clock fires inside each Append, before each event (LogOptions).
  SystemClock wall_clock;
  Scheduler scheduler(log->get(), &wall_clock);
  // An event outside the window is refused, and never sets the time the
  // rule set takes effect at either.
  const TimeWindow window{.days = flags.event_time_window};
  loop.before_group = [&](std::span<const IngestItem> items) -> Status {
    if (!active) {
      std::optional<std::string> time = rules::FirstEventTime(items, window);
      if (!time) return Status::OK();
      KEEL_ASSIGN_OR_RETURN(activated_seq, rules::ActivateRuleSet(**log, *set, *time));
      active = true;
    }
    if (!event_clock) KEEL_RETURN_IF_ERROR(scheduler.FireDue().status());
    return Status::OK();
  };
  Ingestor ingestor(log->get(), schemas->get(), DecodeOptions{flags.max_event_bytes, window});
  IngestRun run;
  {
    Progress progress("run");  // cleared from the terminal before the summary
    loop.on_progress = [&progress](uint64_t handled) { progress.Update(handled, 0); };
    run = IngestLines(**reader, ingestor, loop);
  }
  Status stopped = run.stopped;
  if (stopped.ok() && (until || !event_clock)) {
    Result<uint64_t> fired = until ? scheduler.FireDueUntil(*until) : scheduler.FireDue();
    stopped = fired.status();
  }
  if (stopped.ok()) stopped = (*log)->Sync();

  Result<RunReport> report = Summarize(**log, first_new_seq, flags.json ? 0 : flags.show);
  if (!report.ok()) return ReportError("run", report.status());
  if (flags.json) {
    PrintJsonReport(*report, run, *reactor);
  } else {
    PrintText(*report, run, *reactor, activated_seq);
  }
  if (!stopped.ok()) return ReportStopped("run", stopped);
  return run.counts.rejected == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* command = app.add_subcommand(
      "run", "Run events through a rule set into the log: each event and everything the rules derive from it "
             "are appended together. Prints what came in and what the rules did; exits 1 if any line was rejected.");
  command->add_option("--rules", flags->rules, "The rules folder, or a pack folder holding rules/ and templates/")
      ->required();
  command->add_option("--templates", flags->templates, "The task templates folder (default: the pack's templates/)");
  command->add_option("--events", flags->events, "NDJSON file, or - for standard input")->required();
  AddDbOption(command, &flags->db);
  AddSyncOption(command, &flags->sync);
  command->add_option("--clock", flags->clock,
                      "What time it is for timers: wall (the system clock: due timers fire between batches and "
                      "at the end) or events (each event's time: before each event, the timers due by then fire)")
      ->capture_default_str()
      ->check(CLI::IsMember({"wall", "events"}));
  command->add_option("--until", flags->until,
                      "After the input, fire the timers due up to this RFC 3339 time (with either clock)");
  command->add_option("--batch", flags->batch, "Input events per WriteBatch")
      ->capture_default_str()
      ->check(WholeNumber("events per WriteBatch", 1, 100000));
  command->add_option("--max-event-bytes", flags->max_event_bytes, "Refuse events larger than this")
      ->capture_default_str()
      ->check(WholeNumber("an event size limit in bytes", 64, uint64_t{64} << 20));
  AddEventTimeWindowOption(command, &flags->event_time_window);
  command->add_option("--max-depth", flags->max_depth, "How deep derived events may cascade before rule.halted")
      ->capture_default_str()
      ->check(WholeNumber("a cascade depth", 1, 100));
  command->add_option("--max-derived", flags->max_derived,
                      "How many events one input event may derive, its whole cascade included, before rule.halted")
      ->capture_default_str()
      ->check(WholeNumber("events one input may derive", 1, 10000000));
  command->add_option("--show", flags->show, "Derived events to list in the text output")
      ->capture_default_str()
      ->check(WholeNumber("a count of derived events to list", 0));
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunRun(*flags); });
}

}  // namespace keel::cli
