// keel whatif --db DIR --rules NEWDIR [--templates DIR] [--from TIME] [--to TIME]:
// a candidate rule set run over the recorded input events in a scratch log;
// prints what it would have done differently. The recorded log is only read.
// Both histories end at the same clock (rules/audit/whatif.h) and run under the
// cascade limits recorded with the log's rule set, so a rule set compared
// with itself shows no difference.
#include <iostream>

#include "cli/json_output.h"
#include "cli/log_access.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/terminal_text.h"
#include "cli/commands.h"
#include "cli/rule_pack.h"
#include "cli/terminal_text.h"
#include "cli/scratch_dir.h"
#include "engine/json_time.h"
#include "rules/audit/whatif.h"

namespace keel::cli {
namespace {

struct WhatIfFlags {
  std::string db;
  std::string rules;
  std::string templates;
  std::string from;
  std::string to;
  size_t show = 50;
  bool json = false;
};

Result<std::optional<int64_t>> ParseTimeFlag(const std::string& text, const char* name) {
  if (text.empty()) return std::optional<int64_t>();
  auto micros = ParseRfc3339Micros(text);
  if (!micros.ok()) return micros.status().WithContext(name);
  return std::optional<int64_t>(*micros);
}

std::string Shortened(const std::string& text) { return Abbreviate(text, 300); }

// An effect's data, which is what differs in nearly every change; the whole
// event when something else does.
std::string Shown(const std::string& event, const std::string& other) {
  nlohmann::json a = nlohmann::json::parse(event, nullptr, false);
  nlohmann::json b = other.empty() ? nlohmann::json() : nlohmann::json::parse(other, nullptr, false);
  if (!a.is_object() || !a.contains("data")) return Shortened(event);
  if (b.is_object()) {
    a.erase("data");
    b.erase("data");
    if (a != b) return Shortened(event);
  }
  return "data " + Shortened(nlohmann::json::parse(event)["data"].dump());
}

void PrintText(const rules::WhatIfResult& r, size_t show) {
  std::cout << "added " << r.added << ", removed " << r.removed << ", changed " << r.changed << " (unchanged "
            << r.unchanged << ") over " << r.inputs << " input events\n";
  for (const auto& [rule, c] : r.by_rule) {
    std::cout << "  " << TerminalText(rule) << ": +" << c.added << " -" << c.removed << " ~" << c.changed << "\n";
  }
  size_t shown = 0;
  for (const rules::EffectDifference& d : r.details) {
    if (shown++ == show) {
      std::cout << "... and " << r.details.size() - show << " more (--json lists them all)\n";
      break;
    }
    const char* mark = d.change == "added" ? "+" : d.change == "removed" ? "-" : "~";
    std::cout << mark << " " << TerminalText(d.rule) << "  " << TerminalText(d.type) << " " << TerminalText(d.subject)
              << "  (" << TerminalText(d.id) << ", trigger " << TerminalText(d.trigger) << ")\n";
    if (!d.recorded.empty()) std::cout << "    recorded:  " << TerminalText(Shown(d.recorded, d.candidate)) << "\n";
    if (!d.candidate.empty()) std::cout << "    candidate: " << TerminalText(Shown(d.candidate, d.recorded)) << "\n";
  }
}

nlohmann::ordered_json ToJson(const rules::WhatIfResult& r) {
  nlohmann::ordered_json by_rule = nlohmann::ordered_json::object();
  for (const auto& [rule, c] : r.by_rule) {
    by_rule[rule] = {{"added", c.added}, {"removed", c.removed}, {"changed", c.changed}};
  }
  nlohmann::ordered_json details = nlohmann::ordered_json::array();
  for (const rules::EffectDifference& d : r.details) {
    nlohmann::ordered_json item = {{"change", d.change}, {"rule", d.rule},       {"id", d.id},
                                   {"type", d.type},     {"subject", d.subject}, {"trigger", d.trigger}};
    item["recorded"] = d.recorded.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json::parse(d.recorded);
    item["candidate"] = d.candidate.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json::parse(d.candidate);
    details.push_back(std::move(item));
  }
  return {{"added", r.added},     {"removed", r.removed}, {"changed", r.changed}, {"unchanged", r.unchanged},
          {"inputs", r.inputs},   {"by_rule", by_rule},   {"details", details}};
}

int RunWhatIf(const WhatIfFlags& flags) {
  rules::WhatIfOptions options;
  auto from = ParseTimeFlag(flags.from, "--from");
  if (!from.ok()) return ReportError("whatif", from.status());
  auto to = ParseTimeFlag(flags.to, "--to");
  if (!to.ok()) return ReportError("whatif", to.status());
  options.from_micros = *from;
  options.to_micros = *to;
  auto recorded = OpenLogForReading(flags.db);
  if (!recorded.ok()) return ReportError("whatif", recorded.status());
  auto candidate = LoadRuleSetForRun(ResolveRulePack(flags.rules, flags.templates));
  if (!candidate.ok()) return ReportError("whatif", candidate.status());
  ScratchDir scratch("whatif");
  if (!scratch.ok()) return ReportError("whatif", Status::IOError("cannot create a temporary folder"));
  Progress progress("whatif");
  options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
  auto result = rules::WhatIf(**recorded, *candidate, scratch.path() / "db", options);
  if (!result.ok()) return ReportError("whatif", result.status());
  if (flags.json) {
    PrintJson(ToJson(*result));
  } else {
    PrintText(*result, flags.show);
  }
  return kExitOk;
}

}  // namespace

void AddWhatIfCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<WhatIfFlags>();
  CLI::App* command = app.add_subcommand(
      "whatif", "Run a candidate rule set over the recorded input events without touching the log, and print "
                "the derived events it would add, remove and change, by rule");
  AddDbOption(command, &flags->db);
  command->add_option("--rules", flags->rules, "The candidate rules folder, or a pack holding rules/ and templates/")
      ->required();
  command->add_option("--templates", flags->templates, "The candidate's task templates folder");
  command->add_option("--from", flags->from, "Compare automations from this RFC 3339 time");
  command->add_option("--to", flags->to,
                      "Run input events and compare automations up to this RFC 3339 time (default: the time of the "
                      "log's latest event, where its clock is known to have been; the candidate's timers fire up to it)");
  command->add_option("--show", flags->show, "Differences to detail in the text output")
      ->capture_default_str()
      ->check(WholeNumber("a count of differences to detail", 0));
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunWhatIf(*flags); });
}

}  // namespace keel::cli
