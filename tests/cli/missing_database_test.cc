// The reading commands pointed at a folder that holds no keel database: a
// clear error, a non-zero exit, and nothing created there (a typo in --db
// must not leave an empty database behind).
#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;

struct ReadCommand {
  const char* name;
  std::vector<std::string> args;  // before --db
};

void PrintTo(const ReadCommand& command, std::ostream* out) { *out << command.name; }

class MissingDatabaseTest : public KeelCliTest, public ::testing::WithParamInterface<ReadCommand> {
 protected:
  KeelRun Run(const std::string& folder) {
    std::vector<std::string> args = GetParam().args;
    args.insert(args.end(), {"--db", folder});
    return RunKeel(args);
  }

  void ExpectClearError(const KeelRun& run, const std::string& folder) {
    EXPECT_EQ(run.exit_code, 1) << run.Describe();
    EXPECT_EQ(run.out, "") << run.Describe();
    std::string prefix = "keel " + std::string(GetParam().name) + ": error: ";
    EXPECT_EQ(run.err.rfind(prefix, 0), 0u) << run.Describe();
    EXPECT_NE(run.err.find(folder), std::string::npos) << run.Describe();
    EXPECT_NE(run.err.find("holds no keel database"), std::string::npos) << run.Describe();
  }
};

TEST_P(MissingDatabaseTest, FolderThatDoesNotExistIsAnErrorAndIsNotCreated) {
  std::string folder = (dir_ / "no-such-db").string();
  KeelRun run = Run(folder);
  ExpectClearError(run, folder);
  EXPECT_FALSE(fs::exists(folder));
}

TEST_P(MissingDatabaseTest, EmptyFolderIsAnErrorAndStaysEmpty) {
  std::string folder = (dir_ / "empty").string();
  fs::create_directory(folder);
  KeelRun run = Run(folder);
  ExpectClearError(run, folder);
  EXPECT_TRUE(fs::is_empty(folder));
}

TEST_P(MissingDatabaseTest, FolderOfOtherFilesIsAnErrorAndIsLeftAsItWas) {
  std::string folder = (dir_ / "photos").string();
  fs::create_directory(folder);
  WriteFile("photos/cat.jpg", "not really a cat");
  KeelRun run = Run(folder);
  ExpectClearError(run, folder);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"cat.jpg"});
}

INSTANTIATE_TEST_SUITE_P(ReadCommands, MissingDatabaseTest,
                         ::testing::Values(ReadCommand{"log", {"log"}}, ReadCommand{"state", {"state", "task/T-1"}},
                                           ReadCommand{"verify", {"verify"}},
                                           ReadCommand{"history", {"history", "task/T-1"}},
                                           ReadCommand{"export", {"export", "--format", "csv"}}),
                         [](const ::testing::TestParamInfo<ReadCommand>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace keel::testing
