// keel explain EVENT_ID|SEQ [--workspace WS] --db DIR: why an event is in the log. The chain
// of causes up to the input event at its root, and everything derived from
// it; for each derived event the rule, its rule set, its lines in the rule
// file, the values its condition read, and what it produced.
#include <iostream>

#include "cli/json_output.h"
#include "cli/log_access.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "rules/audit/explain.h"
#include "rules/audit/explain_json.h"

namespace keel::cli {
namespace {

struct ExplainFlags {
  std::string event;
  std::string workspace;
  std::string db;
  bool json = false;
};

// The seq of the event with id `id`: in `workspace` when given, else in the
// one workspace that has it. Ids are unique per workspace, so two workspaces
// may each have one; then the caller must say which.
Result<std::optional<uint64_t>> FindById(const EventLog& log, const std::string& id, const std::string& workspace) {
  if (!workspace.empty()) return log.FindSeqById(workspace, id);
  KEEL_ASSIGN_OR_RETURN(std::vector<std::string> workspaces, log.Workspaces());
  std::optional<uint64_t> found;
  std::vector<std::string> holders;
  for (const std::string& candidate : workspaces) {
    KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> seq, log.FindSeqById(candidate, id));
    if (!seq) continue;
    found = seq;
    holders.push_back(candidate);
  }
  if (holders.size() > 1) {
    std::string names;
    for (const std::string& name : holders) names += (names.empty() ? "'" : ", '") + name + "'";
    return Status::InvalidArgument("event id '" + id + "' is in " + std::to_string(holders.size()) +
                                   " workspaces (" + names + "); say which with --workspace");
  }
  return found;
}

Result<uint64_t> FindEvent(const EventLog& log, const std::string& text, const std::string& workspace) {
  KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> by_id, FindById(log, text, workspace));
  if (by_id) return *by_id;
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() < 20) {
    uint64_t seq = std::stoull(text);
    if (seq >= 1 && seq <= log.Head().seq) return seq;
    return Status::NotFound("no event at seq " + text + " (the log has " + std::to_string(log.Head().seq) + ")");
  }
  if (!workspace.empty()) return Status::NotFound("no event with id '" + text + "' in workspace '" + workspace + "'");
  return Status::NotFound("no event with id '" + text + "' in the log");
}

std::string Headline(const rules::ExplainedEvent& node) {
  const Event& e = node.stored.event;
  std::string line = "seq " + std::to_string(node.stored.seq) + "  " + e.type + "  " + e.subject + "  " + e.time +
                     "  " + e.actor;
  if (e.is_derived()) {
    line += "  (rule " + e.rule_id + ")";
  } else if (!e.causation_id.empty()) {
    line += "  (engine, id " + e.id + ", caused by " + e.causation_id + ")";  // a timer.fired
  } else {
    line += "  (input, id " + e.id + ")";
  }
  return TerminalText(line);
}

// The rule's part of a derived event, each line prefixed with `indent`.
void PrintRule(const rules::ExplainedEvent& node, const std::string& indent) {
  const Event& e = node.stored.event;
  if (!e.is_derived()) return;
  std::cout << indent << "rule " << TerminalText(e.rule_id) << " of rule set "
            << TerminalText(e.ruleset_hash.substr(0, 12));
  if (!node.rule_file.empty()) {
    std::cout << ", " << TerminalText(node.rule_file) << ":" << node.first_line << "-" << node.last_line;
  }
  std::cout << "\n";
  size_t start = 0;
  while (start < node.rule_source.size()) {
    size_t end = node.rule_source.find('\n', start);
    std::cout << indent << "  | " << TerminalText(node.rule_source.substr(start, end - start)) << "\n";
    start = end + 1;
  }
  if (!node.condition.empty()) {
    std::cout << indent << "condition held with:\n";
    for (const auto& [path, value] : node.condition_values) {
      std::cout << indent << "  " << TerminalText(path) << " = " << TerminalText(value) << "\n";
    }
  }
  if (!node.note.empty()) std::cout << indent << "note: " << TerminalText(node.note) << "\n";
  std::cout << indent << "produced: " << TerminalText(e.data()) << "\n";
}

void PrintTree(const rules::Explanation& x, size_t index, const std::string& indent) {
  const rules::ExplainedEvent& node = x.nodes[index];
  for (size_t i = 0; i < node.children.size(); ++i) {
    bool last = i + 1 == node.children.size();
    const rules::ExplainedEvent& child = x.nodes[node.children[i]];
    std::cout << indent << (last ? "└─ " : "├─ ") << Headline(child) << "\n";
    std::string deeper = indent + (last ? "   " : "│  ");
    PrintRule(child, deeper + "   ");
    PrintTree(x, node.children[i], deeper);
  }
}

int RunExplain(const ExplainFlags& flags) {
  auto log = OpenLogForReading(flags.db);
  if (!log.ok()) return ReportError("explain", log.status());
  auto seq = FindEvent(**log, flags.event, flags.workspace);
  if (!seq.ok()) return ReportError("explain", seq.status());
  auto x = rules::Explain(**log, *seq);
  if (!x.ok()) return ReportError("explain", x.status());
  if (flags.json) {
    PrintJson(rules::ExplanationToJson(*x));
    return kExitOk;
  }
  if (!x->ancestors.empty()) {
    std::cout << "caused by:\n";
    for (size_t a : x->ancestors) {
      std::cout << "  " << Headline(x->nodes[a]) << "\n";
      PrintRule(x->nodes[a], "      ");
    }
    std::cout << "\n";
  }
  const rules::ExplainedEvent& node = x->nodes[x->event];
  std::cout << Headline(node) << "\n";
  PrintRule(node, "   ");
  if (node.children.empty()) {
    std::cout << "nothing was derived from it\n";
  } else {
    PrintTree(*x, x->event, "");
  }
  return kExitOk;
}

}  // namespace

void AddExplainCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ExplainFlags>();
  CLI::App* command = app.add_subcommand(
      "explain", "Why an event is in the log: its causes up to the input event, everything derived from it, and "
                 "for each derived event the rule, its lines, the values its condition read and what it produced");
  command->add_option("EVENT", flags->event, "An event id, or a sequence number")->required();
  command->add_option("--workspace", flags->workspace,
                      "The workspace of the event id (ids are unique per workspace); needed only when more than "
                      "one workspace has the id");
  AddDbOption(command, &flags->db);
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunExplain(*flags); });
}

}  // namespace keel::cli
