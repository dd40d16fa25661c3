// keel rules check and keel rules graph, run as a user runs them.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"

namespace keel::rules {
namespace {

struct KeelRun {
  int exit_code = -1;
  std::string out;
};

std::string KeelBinary() { return std::string(KEEL_BINARY_DIR) + "/keel"; }

// Runs keel with `args` (already shell-quoted where needed); stdout only.
KeelRun RunKeel(const std::string& args) {
  KeelRun run;
  FILE* pipe = ::popen((KeelBinary() + " " + args + " 2>/dev/null").c_str(), "r");
  if (!pipe) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.out.append(buffer, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

void Write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class RulesCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(KeelBinary())) GTEST_SKIP() << "no keel binary at " << KeelBinary();
  }
  ::keel::testing::TempDir dir_;
};

TEST_F(RulesCommandTest, ExamplePackChecksCleanly) {
  KeelRun run = RunKeel("rules check " + std::string(KEEL_SOURCE_DIR) + "/examples/01-initiative-kickoff");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.rfind("ok: 3 rules, 1 template, 0 warnings; rule set ", 0), 0u) << run.out;
}

TEST_F(RulesCommandTest, ErrorsArePrintedWithTheirPlaceAndCaretAndExitOne) {
  Write(dir_ / "rules/a.yaml", "id: a\non: task.created\nif: entity.x ==\nthen: [{creat_task: {title: x}}]\n");
  KeelRun run = RunKeel("rules check " + (dir_ / "rules").string());
  EXPECT_EQ(run.exit_code, 1);
  std::string file = (dir_ / "rules").string() + "/a.yaml";
  EXPECT_NE(run.out.find(file + ":3:16: error: [a] unexpected end of expression\nif: entity.x ==\n"
                                "               ^\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(file + ":4:9: error: [a] unknown action 'creat_task'; did you mean 'create_task'?"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("2 errors, 0 warnings\n"), std::string::npos) << run.out;
}

TEST_F(RulesCommandTest, BadTimeTriggersArePrintedWithTheirPlace) {
  Write(dir_ / "rules/a.yaml", "id: a\non: {schedule: \"0 9 * * MOX\", tz: Europe/Paris}\nscope: [acme]\n"
                               "then: [{add_comment: x}]\n");
  Write(dir_ / "rules/b.yaml", "id: b\non: {overdue: task, after: soon}\nthen: [{add_comment: x}]\n");
  KeelRun run = RunKeel("rules check " + (dir_ / "rules").string());
  EXPECT_EQ(run.exit_code, 1);
  std::string a = (dir_ / "rules/a.yaml").string(), b = (dir_ / "rules/b.yaml").string();
  EXPECT_NE(run.out.find(a + ":2:25: error: [a] on.schedule: '0 9 * * MOX': day of week: unknown name 'MOX' (SUN..SAT)"),
            std::string::npos) << run.out;
  EXPECT_NE(run.out.find(b + ":2:28: error: [b] on.after: 'soon' is not an offset"), std::string::npos) << run.out;
}

TEST_F(RulesCommandTest, WarningsAloneExitZero) {
  Write(dir_ / "rules/a.yaml", "id: a\non: task.updated\nthen: [{set_field: {field: x, value: 1}}]\n");
  KeelRun run = RunKeel("rules check " + (dir_ / "rules").string());
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("warning: [a] rule can trigger itself"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("ok: 1 rule, 0 templates, 1 warning;"), std::string::npos) << run.out;
}

TEST_F(RulesCommandTest, JsonKeepsErrorsApartFromWarnings) {
  Write(dir_ / "rules/a.yaml", "id: a\non: task.updated\nthen: [{set_field: {field: x, value: 1}}]\n");
  Write(dir_ / "rules/b.yaml", "id: b\non: task.nope\nthen: [{add_comment: x}]\n");
  KeelRun run = RunKeel("rules check --json " + (dir_ / "rules").string());
  EXPECT_EQ(run.exit_code, 1);
  nlohmann::json out = nlohmann::json::parse(run.out);
  ASSERT_EQ(out["errors"].size(), 1u) << run.out;
  ASSERT_EQ(out["warnings"].size(), 1u) << run.out;
  nlohmann::json error = out["errors"][0];
  EXPECT_EQ(error["file"], (dir_ / "rules").string() + "/b.yaml");
  EXPECT_EQ(error["line"], 2);
  EXPECT_EQ(error["col"], 5);
  EXPECT_EQ(error["rule"], "b");
  EXPECT_EQ(error["message"], "unknown event type 'task.nope'");
  std::vector<std::string> keys;
  for (const auto& [key, value] : error.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"col", "file", "line", "message", "rule"}));
}

TEST_F(RulesCommandTest, GraphShowsListensAndEmitsAsTextAndDot) {
  Write(dir_ / "rules/a.yaml", "id: spawn\non: task.status_changed\nthen: [{create_task: {title: x}}]\n");
  Write(dir_ / "rules/b.yaml", "id: start\non: task.created\nthen: [{set_status: started}]\n");
  KeelRun text = RunKeel("rules graph " + (dir_ / "rules").string());
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_EQ(text.out,
            "rule spawn\n"
            "  listens: task.status_changed\n"
            "  emits:   task.created\n"
            "  triggers: start (via task.created)\n"
            "rule start\n"
            "  listens: task.created\n"
            "  emits:   task.status_changed\n"
            "  triggers: spawn (via task.status_changed)\n"
            "cycles:\n"
            "  spawn -> start -> spawn\n");
  KeelRun dot = RunKeel("rules graph --format dot " + (dir_ / "rules").string());
  EXPECT_EQ(dot.exit_code, 0);
  EXPECT_EQ(dot.out.rfind("digraph keel_rules {", 0), 0u) << dot.out;
  EXPECT_NE(dot.out.find("\"event:task.created\" -> \"rule:start\";"), std::string::npos) << dot.out;
  EXPECT_NE(dot.out.find("\"rule:spawn\" -> \"event:task.created\";"), std::string::npos) << dot.out;
  EXPECT_NE(dot.out.find("\"rule:spawn\" [shape=box, style=\"rounded\", color=red"), std::string::npos) << dot.out;
  KeelRun json = RunKeel("rules graph --json " + (dir_ / "rules").string());
  EXPECT_EQ(nlohmann::json::parse(json.out)["cycles"], nlohmann::json::parse(R"([["spawn","start"]])"));
}

TEST_F(RulesCommandTest, MissingFolderAndBadFormatFail) {
  EXPECT_EQ(RunKeel("rules check " + (dir_ / "nowhere").string()).exit_code, 1);
  Write(dir_ / "rules/a.yaml", "id: a\non: task.created\nthen: [{add_comment: x}]\n");
  EXPECT_EQ(RunKeel("rules graph --format svg " + (dir_ / "rules").string()).exit_code, 2);
  EXPECT_EQ(RunKeel("rules").exit_code, 2);
}

}  // namespace
}  // namespace keel::rules
