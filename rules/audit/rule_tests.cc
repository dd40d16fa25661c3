#include "rules/audit/rule_tests.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "engine/schema/event_decoder.h"
#include "engine/log/event_log.h"
#include "engine/json_time.h"
#include "engine/schema/schema_registry.h"
#include "engine/yaml_load.h"
#include "rules/react/attach_rule_set.h"
#include "rules/ruleset.h"
#include "rules/react/ruleset_store.h"
#include "rules/load/yaml_values.h"

namespace keel::rules {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kDefaultTime = "2026-01-05T09:00:00Z";  // a Monday

struct ExpectedEvent {
  json partial;
  int line = 0;
};

struct TestCase {
  std::string name;
  int line = 0;
  std::vector<json> events;  // complete input events
  std::vector<ExpectedEvent> expect;
  bool allow_other = false;
  std::vector<std::pair<std::string, ExpectedEvent>> expect_state;  // KIND/ID -> partial state
  std::string workspace;
  std::string until;  // after the events, fire the timers due up to this time
};

struct TestFile {
  fs::path rules;
  fs::path templates;
  std::vector<TestCase> tests;
};

std::string At(const fs::path& file, const YAML::Node& node) {
  Position p = NodePosition(node);
  return file.generic_string() + ":" + std::to_string(p.line) + ":" + std::to_string(p.col);
}

Status Problem(const fs::path& file, const YAML::Node& node, const std::string& message) {
  return Status::InvalidArgument(At(file, node) + ": " + message);
}

// Fills what a test's event leaves out: keel's envelope with test defaults.
json CompleteEvent(json event, size_t test_index, size_t event_index, const std::string& workspace,
                   std::string* time) {
  if (!event.contains("specversion")) event["specversion"] = "1.0";
  if (!event.contains("id")) event["id"] = "test-" + std::to_string(test_index + 1) + "-" + std::to_string(event_index + 1);
  if (!event.contains("source")) event["source"] = "keel/rules-test";
  if (!event.contains("workspace")) event["workspace"] = workspace;
  if (!event.contains("actor")) event["actor"] = "user:test";
  if (!event.contains("data")) event["data"] = json::object();
  if (event.contains("time") && event["time"].is_string()) {
    *time = event["time"].get<std::string>();
  } else if (!event.contains("time")) {
    event["time"] = *time;
  }
  return event;
}

// The folder a test file names under `rules:` or `templates:`, relative to
// the file. It must stay inside the file's pack (the folder holding tests/,
// or the file's own folder): a test file cannot reach rules elsewhere on the
// machine through an absolute path or `../..`.
Result<fs::path> FolderInPack(const fs::path& file, const YAML::Node& node, const std::string& key) {
  fs::path named = node.as<std::string>();
  if (named.is_absolute()) {
    return Problem(file, node, key + ": '" + named.generic_string() + "' is an absolute path; name the folder relative to this file");
  }
  fs::path folder = fs::absolute(file).parent_path().lexically_normal();
  if (folder.filename().empty()) folder = folder.parent_path();  // a trailing separator
  fs::path pack = folder.filename() == "tests" ? folder.parent_path() : folder;
  fs::path inside = (folder / named).lexically_normal().lexically_relative(pack);
  if (inside.empty() || *inside.begin() == "..") {
    return Problem(file, node, key + ": '" + named.generic_string() + "' leaves the pack " + pack.generic_string());
  }
  return file.parent_path() / named;
}

Status ReadWorkspace(const fs::path& file, const YAML::Node& node, std::string* workspace) {
  if (!IsStringScalar(node)) return Problem(file, node, "workspace: expected a workspace name, got " + DescribeNode(node));
  *workspace = node.Scalar();
  return Status::OK();
}

Result<TestFile> ParseTestFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open()) return Status::NotFound(file.generic_string() + ": cannot read the test file");
  std::ostringstream text;
  text << in.rdbuf();
  YamlPlace place;
  Result<std::vector<YAML::Node>> documents = LoadYaml(text.str(), {}, &place);
  if (!documents.ok()) return YamlRefusal(file.generic_string(), documents.status(), place);
  YAML::Node root = documents->empty() ? YAML::Node() : documents->front();
  if (!root.IsMap()) return Status::InvalidArgument(file.generic_string() + ": a test file is a mapping with rules: and tests:");
  for (const auto& member : root) {
    if (!member.first.IsScalar()) return Problem(file, member.first, "a key must be a plain string, not " + DescribeNode(member.first));
    const std::string& key = member.first.Scalar();
    if (key != "rules" && key != "templates" && key != "workspace" && key != "tests") {
      return Problem(file, member.first, "unknown key '" + key + "' (expected rules, templates, workspace, tests)");
    }
  }
  TestFile out;
  YAML::Node rules = Member(root, "rules");
  if (!rules || !IsStringScalar(rules)) return Problem(file, root, "rules: the rules folder, relative to this file, is required");
  KEEL_ASSIGN_OR_RETURN(out.rules, FolderInPack(file, rules, "rules"));
  if (YAML::Node templates = Member(root, "templates"); templates) {
    if (!IsStringScalar(templates)) return Problem(file, templates, "templates: expected a folder");
    KEEL_ASSIGN_OR_RETURN(out.templates, FolderInPack(file, templates, "templates"));
  } else if (fs::is_directory(out.rules.parent_path() / "templates")) {
    out.templates = out.rules.parent_path() / "templates";  // the pack's
  }
  std::string workspace = "test";
  if (YAML::Node w = Member(root, "workspace"); w) KEEL_RETURN_IF_ERROR(ReadWorkspace(file, w, &workspace));
  YAML::Node tests = Member(root, "tests");
  if (!tests || !tests.IsSequence() || tests.size() == 0) return Problem(file, root, "tests: expected a list of tests");

  for (size_t i = 0; i < tests.size(); ++i) {
    const YAML::Node& t = tests[i];
    if (!t.IsMap()) return Problem(file, t, "a test is a mapping with name, events and expect");
    TestCase test;
    test.line = NodePosition(t).line;
    test.workspace = workspace;
    for (const auto& member : t) {
      if (!member.first.IsScalar()) return Problem(file, member.first, "a key must be a plain string, not " + DescribeNode(member.first));
      const std::string& key = member.first.Scalar();
      if (key != "name" && key != "events" && key != "expect" && key != "allow_other" && key != "expect_state" &&
          key != "workspace" && key != "until") {
        return Problem(file, member.first, "unknown key '" + key +
                                               "' (expected name, workspace, events, until, expect, allow_other, "
                                               "expect_state)");
      }
    }
    YAML::Node name = Member(t, "name");
    test.name = name && IsStringScalar(name) ? name.as<std::string>() : "test " + std::to_string(i + 1);
    if (YAML::Node w = Member(t, "workspace"); w) KEEL_RETURN_IF_ERROR(ReadWorkspace(file, w, &test.workspace));
    YAML::Node events = Member(t, "events");
    if (!events || !events.IsSequence()) return Problem(file, t, "events: expected a list of input events");
    std::string time = kDefaultTime;
    for (size_t j = 0; j < events.size(); ++j) {
      if (!events[j].IsMap()) return Problem(file, events[j], "an event is a mapping (type, subject, data, ...)");
      test.events.push_back(CompleteEvent(NodeToJson(events[j]), i, j, test.workspace, &time));
    }
    if (YAML::Node expect = Member(t, "expect"); expect) {
      if (!expect.IsSequence()) return Problem(file, expect, "expect: expected a list of derived events (partial)");
      for (const YAML::Node& e : expect) {
        if (!e.IsMap()) return Problem(file, e, "an expected event is a mapping (type, subject, ruleid, data, ...)");
        test.expect.push_back({NodeToJson(e), NodePosition(e).line});
      }
    }
    if (YAML::Node until = Member(t, "until"); until) {
      test.until = until.IsScalar() ? until.Scalar() : "";
      if (!ParseRfc3339Micros(test.until).ok()) return Problem(file, until, "until: expected an RFC 3339 date-time");
    }
    if (YAML::Node allow = Member(t, "allow_other"); allow) test.allow_other = ScalarToJson(allow) == true;
    if (YAML::Node states = Member(t, "expect_state"); states) {
      if (!states.IsMap()) return Problem(file, states, "expect_state: expected KIND/ID: {field: value}");
      for (const auto& member : states) {
        if (!IsStringScalar(member.first)) return Problem(file, member.first, "expect_state: expected KIND/ID as the key, got " + DescribeNode(member.first));
        test.expect_state.push_back({member.first.Scalar(), {NodeToJson(member.second), NodePosition(member.first).line}});
      }
    }
    out.tests.push_back(std::move(test));
  }
  return out;
}

// `expected` is contained in `actual`: every member of an object (nested),
// every item of a list (same length), equal scalars (1 equals 1.0).
bool Matches(const json& expected, const json& actual) {
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    for (const auto& [key, value] : expected.items()) {
      auto it = actual.find(key);
      if (it == actual.end() || !Matches(value, *it)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) return false;
    for (size_t i = 0; i < expected.size(); ++i) {
      if (!Matches(expected[i], actual[i])) return false;
    }
    return true;
  }
  if (expected.is_number() && actual.is_number()) return expected.get<double>() == actual.get<double>();
  return expected == actual;
}

// What a derived event shows in a failure: enough to recognize it.
json Shown(const json& event) {
  json shown = json::object();
  for (const char* key : {"type", "subject", "ruleid", "data"}) {
    if (event.contains(key)) shown[key] = event[key];
  }
  return shown;
}

std::vector<std::string> Compare(const TestCase& test, const std::vector<json>& derived) {
  std::vector<std::string> failures;
  auto got_list = [&] {
    std::string text;
    for (size_t i = 0; i < derived.size(); ++i) text += "\n      " + std::to_string(i + 1) + ". " + Shown(derived[i]).dump();
    return derived.empty() ? std::string(" none") : text;
  };
  if (test.allow_other) {
    size_t next = 0;
    for (const ExpectedEvent& e : test.expect) {
      while (next < derived.size() && !Matches(e.partial, derived[next])) ++next;
      if (next == derived.size()) {
        failures.push_back("line " + std::to_string(e.line) + ": expected a derived event matching " + e.partial.dump() +
                           " (in this order)\n    got:" + got_list());
        return failures;
      }
      ++next;
    }
    return failures;
  }
  for (size_t i = 0; i < std::max(test.expect.size(), derived.size()); ++i) {
    if (i >= test.expect.size()) {
      failures.push_back("derived event " + std::to_string(i + 1) + " was not expected: " + Shown(derived[i]).dump());
    } else if (i >= derived.size()) {
      failures.push_back("line " + std::to_string(test.expect[i].line) + ": expected derived event " +
                         std::to_string(i + 1) + " " + test.expect[i].partial.dump() + "\n    got: nothing");
    } else if (!Matches(test.expect[i].partial, derived[i])) {
      failures.push_back("line " + std::to_string(test.expect[i].line) + ": expected derived event " +
                         std::to_string(i + 1) + " " + test.expect[i].partial.dump() +
                         "\n    got: " + Shown(derived[i]).dump());
    }
  }
  if (!failures.empty() && test.expect.size() != derived.size()) {
    failures.push_back("expected " + std::to_string(test.expect.size()) + " derived events, got " +
                       std::to_string(derived.size()) + ":" + got_list());
  }
  return failures;
}

class ScratchLog {
 public:
  explicit ScratchLog(const fs::path& parent) {
    std::string pattern = ((parent.empty() ? fs::temp_directory_path() : parent) / "keel-rules-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchLog() {
    log.reset();
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  std::unique_ptr<EventLog> log;

 private:
  fs::path path_;
};

Result<RuleTestResult> RunOne(const fs::path& file, const TestCase& test, const RuleSet& set,
                              const SchemaRegistry& schemas, const RuleTestOptions& options) {
  RuleTestResult result;
  result.file = file.generic_string();
  result.name = test.name;
  result.line = test.line;
  ScratchLog scratch(options.scratch_dir);
  if (scratch.path().empty()) return Status::IOError("cannot create a temporary folder for the test's log");
  LogOptions log_options;
  log_options.create_if_missing = true;
  log_options.sync = SyncMode::kOff;
  // The event clock, as `keel run --clock=events`: timers fire where their
  // time falls between the test's events.
  log_options.fire_timers_at_event_time = true;
  KEEL_ASSIGN_OR_RETURN(scratch.log, EventLog::Open(scratch.path() / "db", log_options));
  AttachRuleSet(*scratch.log, set, &schemas);
  EventDecoder decoder(&schemas);
  bool activated = set.time_rules().empty();  // only schedules need the activation
  for (size_t i = 0; i < test.events.size(); ++i) {
    Result<Event> event = decoder.DecodeInput(test.events[i].dump());
    if (!event.ok()) {
      result.failures.push_back("input event " + std::to_string(i + 1) + " is not valid: " + event.status().message());
      continue;
    }
    if (!activated) {
      KEEL_RETURN_IF_ERROR(ActivateRuleSet(*scratch.log, set, event->time).status());
      activated = true;
    }
    std::vector<AppendRequest> group;
    group.push_back({*std::move(event), std::nullopt});
    KEEL_ASSIGN_OR_RETURN(std::vector<AppendResult> appended, scratch.log->Append(std::move(group)));
    if (appended[0].outcome == AppendOutcome::kRejected) {
      result.failures.push_back("input event " + std::to_string(i + 1) + " was rejected: " + appended[0].error.message());
    }
  }
  if (!test.until.empty()) {
    KEEL_ASSIGN_OR_RETURN(int64_t until, ParseRfc3339Micros(test.until));
    while (true) {
      KEEL_ASSIGN_OR_RETURN(size_t fired, scratch.log->FireDueTimers(until, 1000));
      if (fired == 0) break;
    }
  }
  std::vector<json> derived;
  KEEL_RETURN_IF_ERROR(scratch.log->Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
    // timer.fired is the engine's, not a rule's, yet it is what time rules
    // derive from: tests expect it among the derived events.
    if (stored.event.is_derived() || stored.event.type == "timer.fired") {
      derived.push_back(json::parse(stored.event.canonical));
    }
    return true;
  }));
  result.derived = derived.size();
  std::vector<std::string> mismatches = Compare(test, derived);
  result.failures.insert(result.failures.end(), mismatches.begin(), mismatches.end());
  for (const auto& [ref, expected] : test.expect_state) {
    EntityRef entity;
    if (!ParseEntityRef(ref, &entity)) {
      result.failures.push_back("line " + std::to_string(expected.line) + ": '" + ref + "' is not KIND/ID");
      continue;
    }
    KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> state, scratch.log->GetEntity(test.workspace, entity));
    json actual = state ? json::parse(state->ToCanonical()) : json(nullptr);
    if (!Matches(expected.partial, actual)) {
      result.failures.push_back("line " + std::to_string(expected.line) + ": expected " + ref + " to match " +
                                expected.partial.dump() + "\n    got: " + actual.dump());
    }
  }
  result.passed = result.failures.empty();
  return result;
}

}  // namespace

Result<std::vector<RuleTestResult>> RunRuleTestFile(const fs::path& file, const RuleTestOptions& options) {
  KEEL_ASSIGN_OR_RETURN(TestFile tests, ParseTestFile(file));
  std::vector<Diagnostic> diagnostics;
  Result<RuleSet> set = RuleSet::Load(tests.rules, tests.templates, {}, &diagnostics);
  if (!set.ok()) {
    std::string message = file.generic_string() + ": the rule set in " + tests.rules.generic_string() + " does not load";
    for (const Diagnostic& d : diagnostics) {
      if (d.severity == Severity::kError) message += "\n" + FormatDiagnostic(d);
    }
    return Status::InvalidArgument(message);
  }
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<SchemaRegistry> schemas, SchemaRegistry::LoadEmbedded());
  KEEL_RETURN_IF_ERROR(set->RegisterCustomEventTypes(*schemas));
  std::vector<RuleTestResult> results;
  for (const TestCase& test : tests.tests) {
    KEEL_ASSIGN_OR_RETURN(RuleTestResult result, RunOne(file, test, *set, *schemas, options));
    results.push_back(std::move(result));
  }
  return results;
}

Result<std::vector<fs::path>> FindRuleTestFiles(const fs::path& path) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) return std::vector<fs::path>{path};
  if (!fs::is_directory(path, error)) return Status::NotFound(path.generic_string() + ": no such file or folder");
  fs::path folder = fs::is_directory(path / "tests", error) ? path / "tests" : path;
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    std::string ext = it->path().extension().string();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
  }
  if (error) return Status::IOError(folder.generic_string() + ": " + error.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) return Status::NotFound(folder.generic_string() + ": no test files (*.yaml) found");
  return files;
}

}  // namespace keel::rules
