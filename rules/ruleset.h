// RuleSet: the rules and task templates of a folder, loaded, checked and
// indexed for evaluation.
//
//   std::vector<rules::Diagnostic> problems;
//   Result<rules::RuleSet> set = rules::RuleSet::Load("pack/rules", "pack/templates", {}, &problems);
//   for (const rules::Rule* rule : set->Candidates(event_type)) { ... }
//
// Loading collects every problem, not just the first. A set with errors is
// refused; one with only warnings loads, and keeps them in warnings(). File
// formats: rules/README.md, schemas/rule.schema.json, schemas/template.schema.json.
//
// A RuleSet is immutable once loaded; copies share it. Safe for concurrent
// use without external synchronization.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema/schema_registry.h"
#include "engine/status.h"
#include "rules/actions.h"
#include "rules/cel/cel.h"
#include "rules/cron.h"
#include "rules/diagnostic.h"
#include "rules/task_template.h"

namespace keel::rules {

// A rule whose `on` is time rather than an event type (rules/README.md,
// "Time triggers").
struct TimeTrigger {
  enum class Kind : uint8_t {
    kTimer,     // {timer: NAME}: timer.fired with data.name NAME
    kDue,       // {due: KIND, before: OFFSET}: OFFSET before the entity's `due`
    kOverdue,   // {overdue: KIND, after: OFFSET}: OFFSET after it
    kSchedule,  // {schedule: CRON, tz: ZONE}: every occurrence, in each workspace of `scope`
    kIdle,      // {idle: KIND, after: OFFSET}: OFFSET after the entity's last change (`updated`)
  };
  Kind kind = Kind::kTimer;
  std::string timer_name;            // kTimer
  std::string entity_kind;           // kDue, kOverdue, kIdle: task, initiative, ...
  int64_t offset_micros = 0;         // kDue, kOverdue, kIdle: a fixed offset (2d, 36h, 90m) ...
  int64_t offset_business_days = 0;  // ... or business days (2bd), in the workspace's calendar
  std::vector<std::string> done_statuses = {"cancelled", "done"};  // statuses that call the timer off; sorted
  std::string cron_text;             // kSchedule, as written
  CronSchedule cron;
  std::string time_zone;             // kSchedule; empty: the workspace calendar's zone (UTC without one)
};

struct Rule {
  std::string id;  // ^[a-z0-9][a-z0-9_.-]*$, unique in the set
  std::string description;
  bool enabled = true;
  std::vector<std::string> on;           // as written: types and globs (`task.*`)
  std::vector<std::string> event_types;  // what `on` matches, resolved at load; sorted
  std::optional<TimeTrigger> time;        // set when `on` is a time trigger (event_types: timer.fired)
  std::optional<cel::Program> condition;  // `if`; none means always
  int condition_line = 0;                 // where `if`'s value starts, for run-time errors
  int condition_col = 0;
  std::vector<Action> actions;            // `then`, at least one
  std::vector<std::string> scope;         // workspaces, sorted; empty means every workspace
  int64_t order = 0;                      // matching rules run by order, then id
  std::vector<std::string> emits;         // event types its actions can produce; sorted
  std::string file;                       // key in sources(): "rules/kickoff.yaml"
  int line = 0;                           // of the rule's `id`
  int col = 0;

  bool AppliesTo(std::string_view workspace) const;
};

// The files of a rule set: "rules/<path>" and "templates/<path>" (paths
// relative to the two folders, with '/') to their bytes. What is stored under
// the rule set's hash, and what a replay loads again.
using RuleSetSources = std::map<std::string, std::string>;

struct LoadOptions {
  // The event schemas (a folder laid out as schemas/); empty means the ones
  // embedded in keel. Their types are what `on` may name, besides the rule
  // set's own; candidate events are checked against them for warnings.
  std::filesystem::path schema_dir;
  // How diagnostics name the two folders ("rules/x.yaml" is shown as
  // "<rules_display>/x.yaml"); empty keeps the source keys.
  std::string rules_display;
  std::string templates_display;
};

// The name the timers of a time rule carry: "due:<rule id>", "overdue:<rule
// id>", "idle:<rule id>", "schedule:<rule id>", or the `on: {timer: NAME}`'s
// NAME. REQUIRES: rule.time.
std::string TimeTimerName(const Rule& rule);

class RuleSet {
 public:
  // Reads every *.yaml and *.yml file under the folders (recursively; names
  // starting with '.' are skipped) and loads them. `templates_dir` may be
  // empty (no templates). Errors: NotFound/IOError for a folder that cannot
  // be read; InvalidArgument "N errors in the rule set" with the first ones
  // when any file has errors. `diagnostics` (optional) receives every error
  // and warning, sorted by file, line and column.
  static Result<RuleSet> Load(const std::filesystem::path& rules_dir, const std::filesystem::path& templates_dir,
                              const LoadOptions& options = {}, std::vector<Diagnostic>* diagnostics = nullptr);
  // The same from files held in memory (a stored rule set).
  static Result<RuleSet> LoadFromSources(RuleSetSources sources, const LoadOptions& options = {},
                                         std::vector<Diagnostic>* diagnostics = nullptr);
  // The files Load would read, unchecked.
  static Result<RuleSetSources> ReadSources(const std::filesystem::path& rules_dir,
                                            const std::filesystem::path& templates_dir);

  // SHA-256 of the sources, 64 lower-case hex digits: the `rulesethash`.
  const std::string& hash() const;
  const RuleSetSources& sources() const;

  // Every rule, enabled or not, by order then id.
  std::span<const Rule> rules() const;
  const Rule* FindRule(std::string_view id) const;
  const TaskTemplate* FindTemplate(std::string_view name) const;
  std::vector<const TaskTemplate*> templates() const;  // by name

  // The enabled rules listening to `event_type`, by order then id, without
  // looking at any other rule. Scope is left to the caller (Rule::AppliesTo).
  std::span<const Rule* const> Candidates(std::string_view event_type) const;

  // Custom event types the set declares (`events:`): type -> JSON Schema of
  // the event's data.
  const std::map<std::string, nlohmann::json>& custom_event_types() const;
  // The schema of a whole custom event, for SchemaRegistry::AddType.
  static nlohmann::json CustomEventSchema(const std::string& type, const nlohmann::json& data_schema);
  // Adds every custom event type to `schemas`, so that the events `emit`
  // produces (and input events of those types) validate.
  Status RegisterCustomEventTypes(SchemaRegistry& schemas) const;
  // Every event type rules may listen to: the schemas' and the custom ones; sorted.
  std::span<const std::string> event_types() const;

  const std::vector<Diagnostic>& warnings() const;

  // The enabled rules with a due, overdue or schedule trigger, by order then
  // id. The reactor arms and fires them itself; Candidates leaves them out.
  std::span<const Rule* const> time_rules() const;
  // The business calendar of `workspace` (`calendars:` in a rules file): its
  // own, else the `"*"` one, else nullptr (Monday to Friday in UTC).
  const cel::BusinessCalendar* CalendarFor(std::string_view workspace) const;

  struct Data;  // ruleset.cc
  explicit RuleSet(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

 private:
  std::shared_ptr<const Data> data_;
};

// SHA-256 over the files sorted by key: for each, the key, a NUL byte, the
// size as 8 bytes big-endian, and the bytes. Lower-case hex.
std::string RuleSetHash(const RuleSetSources& sources);

}  // namespace keel::rules
