// Event data is anyone's input, and text output goes to a terminal: an ESC,
// a C1 control (CSI is U+009B), BEL, DEL or a line break in an event's
// fields reaches the user only as a visible escape (\x1b, \u009b, \x07,
// \x7f, \n), in every text printer and in error messages. --json stays JSON
// with the value unchanged.
#include <filesystem>
#include <string_view>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using nlohmann::json;

// Sets the window title, clears the screen, turns red (8-bit CSI), a DEL,
// and a line break that would forge a line of output.
const std::string kHostile = "\x1b]0;owned\x07\x1b[2J\xc2\x9b" "31m\x7f" "forged\nline";
const std::string kShown = R"(\x1b]0;owned\x07\x1b[2J\u009b31m\x7fforged\nline)";

// The first control character in `text` other than the line breaks that end
// its lines, as "byte N: 0xHH"; empty when there is none.
std::string FirstControl(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if ((c < 0x20 && c != '\n') || c == 0x7F || c1) {
      return "byte " + std::to_string(i) + ": 0x" + std::to_string(c);
    }
  }
  return "";
}

class TerminalEscapeTest : public KeelCliTest {
 protected:
  void SetUp() override {
    IngestValid({EventLine({.id = "e1", .type = "task.created", .subject = "task/T-1",
                            .data = {{"title", kHostile}, {"note", kHostile}}})});
  }
};

TEST_F(TerminalEscapeTest, StatePrintsControlCharactersAsEscapes) {
  KeelRun run = RunKeel({"state", "task/T-1", "--db", db()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(FirstControl(run.out), "") << run.out;
  size_t shown = 0;
  for (const std::string& line : Lines(run.out)) {
    bool escaped = line.size() > kShown.size() && line.substr(line.size() - kShown.size()) == kShown;
    if (escaped && (line.rfind("  title ", 0) == 0 || line.rfind("  note ", 0) == 0)) ++shown;
  }
  EXPECT_EQ(shown, 2u) << run.out;
}

TEST_F(TerminalEscapeTest, StateJsonKeepsTheValueExactly) {
  KeelRun run = RunKeel({"state", "task/T-1", "--db", db(), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(json::parse(run.out)["title"], kHostile);
}

TEST_F(TerminalEscapeTest, LogAndHistoryPrintNoControlCharacters) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"log", "--db", db()},
                                                std::vector<std::string>{"history", "task/T-1", "--db", db()}}) {
    KeelRun run = RunKeel(args);
    ASSERT_EQ(run.exit_code, 0) << run.Describe();
    EXPECT_EQ(FirstControl(run.out), "") << args[0] << ": " << run.out;
  }
  // The log's text shows the data as JSON, whose escapes cover C0 but not DEL or C1.
  KeelRun log = RunKeel({"log", "--db", db()});
  EXPECT_NE(log.out.find(R"(\u001b[2J\u009b31m\x7fforged\nline)"), std::string::npos) << log.out;
  EXPECT_EQ(Lines(log.out).size(), 1u) << log.out;
}

TEST_F(TerminalEscapeTest, RunPrintsDerivedEventsWithoutControlCharacters) {
  std::filesystem::create_directories(dir_ / "rules");
  WriteFile("rules/echo.yaml", "id: echo\non: task.status_changed\nthen:\n  - add_comment: {text: \"{{ entity.title }}\"}\n");
  std::string events = WriteFile("more.ndjson", TaskStatusChanged("e2", "T-1", "doing") + "\n");
  KeelRun run = RunKeel({"run", "--rules", (dir_ / "rules").string(), "--events", events, "--db", db()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.out.find("comment.added"), std::string::npos) << run.out;
  EXPECT_EQ(FirstControl(run.out), "") << run.out;
  EXPECT_NE(run.out.find(R"(\u009b31m\x7fforged)"), std::string::npos) << run.out;
}

TEST_F(TerminalEscapeTest, ErrorMessagesEscapeWhatTheyQuote) {
  KeelRun run = RunKeel({"state", "task/\x1b[2J", "--db", db()});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(FirstControl(run.err), "") << run.err;
  EXPECT_NE(run.err.find(R"(task/\x1b[2J)"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace keel::testing
