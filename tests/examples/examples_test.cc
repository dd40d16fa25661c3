// Every scenario pack in examples/ (a folder named NN-name) is checked as a
// newcomer would use it, through the real `keel` binary:
//   keel rules check PACK           no errors and no warnings
//   keel rules test PACK            every rule test passes
//   keel run --rules PACK --events PACK/events.ndjson [run.args]
//                                   the events the rules derived equal
//                                   PACK/expected/derived.ndjson
//   keel verify, keel replay        the log verifies and replays identically
//   keel whatif --rules PACK        the pack's own rules show no difference
//
// expected/derived.ndjson holds one event per line, in log order: every event
// of the log that is not one of the pack's input events (so timers and rule
// failures count too), reduced to what a reader checks: id, time, type,
// subject, workspace, ruleid, causationid and data. The activation of the rule
// set is left out: its hash changes with every edit of a rule file.
//
// A pack with webhooks/ (see pack_webhooks.h) is driven by real-format tool
// payloads: the run's input is events.ndjson followed by the events each
// payload maps to (`keel map`), in file order; examples_webhooks_test.cc
// checks the payloads themselves and runs them through `keel serve`.
//
// KEEL_UPDATE_EXPECTED=1 rewrites expected/derived.ndjson from the run instead
// of comparing; review the diff before committing it.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_keel_support.h"
#include "tests/examples/pack_webhooks.h"
#include "tests/support/file_text.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kExamples = fs::path(KEEL_SOURCE_DIR) / "examples";

// Folders whose name starts with two digits and a dash, in order.
std::vector<std::string> FindPacks() {
  std::vector<std::string> packs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kExamples, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.size() > 3 && std::isdigit(static_cast<unsigned char>(name[0])) &&
        std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '-') {
      packs.push_back(name);
    }
  }
  std::sort(packs.begin(), packs.end());
  return packs;
}

// run.args: extra arguments for `keel run`, separated by white space (for
// example `--clock=events --until 2026-05-01T00:00:00Z`).
std::vector<std::string> RunArgs(const fs::path& pack) {
  std::vector<std::string> args;
  std::istringstream words(ReadFileText(pack / "run.args"));
  for (std::string word; words >> word;) args.push_back(word);
  return args;
}

class ExamplePackTest : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path Pack() const { return kExamples / GetParam(); }
};

TEST_P(ExamplePackTest, RulesCheckWithNoErrorsAndNoWarnings) {
  KeelRun check = RunKeel({"rules", "check", Pack().string(), "--json"});
  ASSERT_EQ(check.exit_code, 0) << check.Describe();
  Json report = Json::parse(check.out);
  EXPECT_TRUE(report["errors"].empty()) << report.dump(2);
  EXPECT_TRUE(report["warnings"].empty()) << report.dump(2);
}

TEST_P(ExamplePackTest, HasRuleTestsAndTheyPass) {
  ASSERT_TRUE(fs::is_directory(Pack() / "tests")) << "every pack has rule tests in tests/";
  KeelRun test = RunKeel({"rules", "test", Pack().string()});
  EXPECT_EQ(test.exit_code, 0) << test.Describe();
}

TEST_P(ExamplePackTest, RunDerivesTheExpectedEventsAndReplaysIdentically) {
  for (const char* file : {"README.md", "events.ndjson"}) {
    ASSERT_TRUE(fs::exists(Pack() / file)) << GetParam() << " has no " << file;
  }
  TempDir dir;
  std::string db = (dir / "db").string();
  fs::path input = RunInput(Pack(), dir.path());
  ASSERT_FALSE(input.empty());
  std::vector<std::string> run = {"run", "--rules", Pack().string(), "--events", input.string(), "--db", db, "--json"};
  for (std::string& arg : RunArgs(Pack())) run.push_back(std::move(arg));
  KeelRun ran = RunKeel(run);
  ASSERT_EQ(ran.exit_code, 0) << ran.Describe();

  KeelRun exported = RunKeel({"export", "--db", db});
  ASSERT_EQ(exported.exit_code, 0) << exported.Describe();
  std::vector<std::string> actual = DerivedLines(exported.out, InputIds(input));

  fs::path expected_file = Pack() / "expected" / "derived.ndjson";
  const char* update = std::getenv("KEEL_UPDATE_EXPECTED");
  if (update != nullptr && std::string(update) == "1") {
    fs::create_directories(expected_file.parent_path());
    std::ofstream out(expected_file, std::ios::trunc);
    for (const std::string& line : actual) out << line << '\n';
  } else {
    ASSERT_TRUE(fs::exists(expected_file)) << "no " << expected_file
                                           << "; KEEL_UPDATE_EXPECTED=1 writes it from a run";
    std::vector<std::string> expected = ExpectedLines(Pack());
    size_t common = std::min(expected.size(), actual.size());
    for (size_t i = 0; i < common; ++i) {
      ASSERT_EQ(expected[i], actual[i]) << "derived event " << i + 1 << " of " << GetParam();
    }
    ASSERT_EQ(expected.size(), actual.size())
        << "expected " << expected.size() << " derived events, got " << actual.size() << "; first extra: "
        << (actual.size() > common ? actual[common] : expected[common]);
  }

  KeelRun verified = RunKeel({"verify", "--db", db});
  EXPECT_EQ(verified.exit_code, 0) << verified.Describe();
  KeelRun replayed = RunKeel({"replay", "--db", db, "--json"});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.Describe();
  EXPECT_TRUE(Json::parse(replayed.out)["identical"].get<bool>()) << replayed.out;
}

// A rule set compared with itself shows no difference: the candidate's
// clock ends where the recorded history's does, also when the run fired
// timers after its last input (run.args --until), as example 02 does.
TEST_P(ExamplePackTest, WhatIfOfItsOwnRulesShowsNoDifference) {
  TempDir dir;
  std::string db = (dir / "db").string();
  fs::path input = RunInput(Pack(), dir.path());
  ASSERT_FALSE(input.empty());
  std::vector<std::string> run = {"run", "--rules", Pack().string(), "--events", input.string(), "--db", db, "--json"};
  for (std::string& arg : RunArgs(Pack())) run.push_back(std::move(arg));
  KeelRun ran = RunKeel(run);
  ASSERT_EQ(ran.exit_code, 0) << ran.Describe();

  KeelRun whatif = RunKeel({"whatif", "--db", db, "--rules", Pack().string(), "--json"});
  ASSERT_EQ(whatif.exit_code, 0) << whatif.Describe();
  Json result = Json::parse(whatif.out);
  EXPECT_EQ(result["added"], 0) << result["details"].dump(2);
  EXPECT_EQ(result["removed"], 0) << result["details"].dump(2);
  EXPECT_EQ(result["changed"], 0) << result["details"].dump(2);
  EXPECT_GT(result["unchanged"].get<int>(), 0) << "every pack's rules derive something";
}

INSTANTIATE_TEST_SUITE_P(Examples, ExamplePackTest, ::testing::ValuesIn(FindPacks()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = "pack_" + info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExamplePackTest);

}  // namespace
}  // namespace keel::testing
