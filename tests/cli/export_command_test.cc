// keel export: NDJSON and CSV for auditors' own tools, end to end. The CSV is
// read back with an RFC 4180 reader written here, independent of the code
// that writes it.
#include <fstream>
#include <functional>
#include <utility>

#include "engine/json_time.h"
#include "tests/cli/cli_fixture.h"
#include "tests/support/file_text.h"

namespace keel::testing {
namespace {

using nlohmann::json;

using CsvRecord = std::vector<std::string>;

// RFC 4180: records end in CRLF (a bare LF is accepted too); a quoted field
// may hold commas, CR, LF and doubled quotes. Fails the test on malformed text.
std::vector<CsvRecord> ParseCsv(const std::string& text) {
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  size_t i = 0;
  auto end_field = [&] { record.push_back(std::exchange(field, {})); };
  auto end_record = [&] {
    end_field();
    records.push_back(std::exchange(record, {}));
  };
  while (i < text.size()) {
    if (text[i] == '"' && field.empty()) {
      for (++i;; ++i) {
        if (i >= text.size()) {
          ADD_FAILURE() << "unterminated quoted field";
          return records;
        }
        if (text[i] != '"') {
          field += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          break;
        }
      }
      ++i;  // past the closing quote: a separator or the end of the record must follow
      if (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
        ADD_FAILURE() << "text after a closing quote at byte " << i;
        return records;
      }
      continue;
    }
    if (text[i] == ',') {
      end_field();
      ++i;
    } else if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      end_record();
      i += 2;
    } else if (text[i] == '\n') {
      end_record();
      ++i;
    } else {
      EXPECT_NE(text[i], '"') << "a quote inside an unquoted field at byte " << i;
      field += text[i++];
    }
  }
  if (!field.empty() || !record.empty()) end_record();
  return records;
}

const CsvRecord kHeader = {"seq",     "hash",   "id",          "time",          "type",
                           "subject", "workspace", "actor",    "source",        "causationid",
                           "correlationid", "ruleid", "rulesethash", "data"};

class ExportCommandTest : public KeelCliTest {
 protected:
  void RunKickoff() {
    KeelRun run = RunKeel({"run", "--rules", "examples/01-initiative-kickoff", "--events", "examples/01-initiative-kickoff/events.ndjson",
                           "--db", db()});
    ASSERT_EQ(run.exit_code, 0) << run.Describe();
  }

  KeelRun Export(std::vector<std::string> extra) {
    std::vector<std::string> args = {"export", "--db", db()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKeel(args);
  }

  std::vector<json> ExportNdjson(const std::vector<std::string>& extra) {
    KeelRun run = Export(extra);
    EXPECT_EQ(run.exit_code, 0) << run.Describe();
    std::vector<json> events;
    for (const std::string& line : Lines(run.out)) events.push_back(json::parse(line));
    return events;
  }

  std::vector<json> WholeLog() {
    KeelRun run = RunKeel({"log", "--db", db(), "--json"});
    EXPECT_EQ(run.exit_code, 0) << run.Describe();
    std::vector<json> events;
    for (const std::string& line : Lines(run.out)) events.push_back(json::parse(line));
    return events;
  }

  // The seqs `keel export ARGS` selects, against those the predicate picks from the whole log.
  void ExpectSelects(const std::vector<std::string>& args, const std::function<bool(const json&)>& wanted) {
    std::vector<uint64_t> expected, got;
    for (const json& e : WholeLog()) {
      if (wanted(e)) expected.push_back(e["seq"]);
    }
    for (const json& e : ExportNdjson(args)) got.push_back(e["seq"]);
    ASSERT_FALSE(expected.empty()) << "a filter that selects nothing proves little";
    EXPECT_EQ(got, expected) << ::testing::PrintToString(args);
  }
};

int64_t Micros(const std::string& time) { return ParseRfc3339Micros(time).value(); }

TEST_F(ExportCommandTest, NdjsonIsEveryEventWithItsSeqAndHash) {
  RunKickoff();
  std::vector<json> log = WholeLog();
  EXPECT_EQ(ExportNdjson({}), log);
  EXPECT_EQ(ExportNdjson({"--format", "ndjson"}), log);
}

TEST_F(ExportCommandTest, CsvParsesBackToOneRowPerEventWithTheDataAsJson) {
  RunKickoff();
  std::vector<json> log = WholeLog();
  KeelRun run = Export({"--format", "csv"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  std::vector<CsvRecord> records = ParseCsv(run.out);
  ASSERT_EQ(records.size(), log.size() + 1) << run.out;
  EXPECT_EQ(records[0], kHeader);
  int derived = 0;
  for (size_t i = 0; i < log.size(); ++i) {
    const CsvRecord& row = records[i + 1];
    const json& event = log[i];
    ASSERT_EQ(row.size(), kHeader.size()) << "row " << i + 1;
    for (size_t column = 0; column + 1 < kHeader.size(); ++column) {
      const std::string& name = kHeader[column];
      std::string expected = !event.contains(name)         ? ""
                             : event[name].is_string()      ? event[name].get<std::string>()
                                                            : event[name].dump();
      EXPECT_EQ(row[column], expected) << name << " of seq " << event["seq"];
    }
    EXPECT_EQ(json::parse(row.back()), event["data"]) << "data of seq " << event["seq"];
    if (!row[11].empty()) ++derived;
  }
  EXPECT_GT(derived, 0);  // the rule columns were exercised
}

TEST_F(ExportCommandTest, ADataFieldWithCommasQuotesAndLineBreaksRoundTrips) {
  const std::string tricky = "one, two; \"three\"\nfour\r\nfive,\"\"";
  IngestValid({EventLine({.id = "e1", .type = "task.created", .subject = "task/T-9",
                          .data = {{"title", "Tricky"}, {"notes", tricky}, {"nested", {{"a,b", {tricky, 1}}}}}})});
  KeelRun run = Export({"--format", "csv"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  std::vector<CsvRecord> records = ParseCsv(run.out);
  ASSERT_EQ(records.size(), 2u) << run.out;
  json data = json::parse(records[1].back());
  EXPECT_EQ(data["notes"], tricky);
  EXPECT_EQ(data["nested"]["a,b"][0], tricky);
  std::vector<json> ndjson = ExportNdjson({});
  ASSERT_EQ(ndjson.size(), 1u);
  EXPECT_EQ(ndjson[0]["data"], data);
}

TEST_F(ExportCommandTest, FiltersSelectExactlyWhatTheySay) {
  RunKickoff();
  ExpectSelects({"--from", "3", "--to", "6"}, [](const json& e) { return e["seq"] >= 3 && e["seq"] <= 6; });
  ExpectSelects({"--type", "task.*"},
                [](const json& e) { return e["type"].get<std::string>().starts_with("task."); });
  ExpectSelects({"--type", "task.created"}, [](const json& e) { return e["type"] == "task.created"; });
  ExpectSelects({"--type", "initiative.created"}, [](const json& e) { return e["type"] == "initiative.created"; });
  ExpectSelects({"--workspace", "globex"}, [](const json& e) { return e["workspace"] == "globex"; });
  ExpectSelects({"--entity", "initiative/IN-42", "--workspace", "acme"},
                [](const json& e) { return e["subject"] == "initiative/IN-42" && e["workspace"] == "acme"; });
  ExpectSelects({"--entity", "initiative/IN-42", "--workspace", "acme", "--from", "3"}, [](const json& e) {
    return e["subject"] == "initiative/IN-42" && e["workspace"] == "acme" && e["seq"] >= 3;
  });
  // Times by the event's time attribute; 10:00+01:00 is 09:00Z, the kickoff's start and all it caused.
  ExpectSelects({"--from", "2026-03-02T10:00:00+01:00", "--to", "2026-03-02T09:30:00Z"}, [](const json& e) {
    int64_t time = Micros(e["time"]);
    return time >= Micros("2026-03-02T09:00:00Z") && time <= Micros("2026-03-02T09:30:00Z");
  });
  ExpectSelects({"--type", "task.*", "--from", "2", "--to", "2026-03-02T09:00:00Z"}, [](const json& e) {
    return e["type"].get<std::string>().starts_with("task.") && e["seq"] >= 2 &&
           Micros(e["time"]) <= Micros("2026-03-02T09:00:00Z");
  });
}

TEST_F(ExportCommandTest, OutWritesTheFileAndSaysHowManyEvents) {
  RunKickoff();
  KeelRun to_stdout = Export({"--format", "csv"});
  std::string path = (dir_ / "audit.csv").string();
  KeelRun to_file = Export({"--format", "csv", "--out", path});
  ASSERT_EQ(to_file.exit_code, 0) << to_file.Describe();
  std::ifstream file(path, std::ios::binary);
  std::string written((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, to_stdout.out);
  EXPECT_EQ(to_file.out, std::to_string(WholeLog().size()) + " events written to " + path + "\n");
  KeelRun unwritable = Export({"--out", (dir_ / "no-such-folder" / "x.csv").string()});
  EXPECT_EQ(unwritable.exit_code, 1) << unwritable.Describe();
  EXPECT_EQ(unwritable.err.rfind("keel export: error: cannot write", 0), 0u) << unwritable.Describe();
}

TEST_F(ExportCommandTest, BadArgumentsExitTwoWithAClearMessage) {
  RunKickoff();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"--format", "xml"}, "xml"},
           {{"--from", "yesterday"}, "neither a sequence number nor an RFC 3339 time"},
           {{"--to", "2026-13-01T00:00:00Z"}, "neither a sequence number nor an RFC 3339 time"},
           {{"--type", "ta*sk"}, "is not TYPE or PREFIX.*"},
           {{"--type", "*"}, "is not TYPE or PREFIX.*"},
           {{"--entity", "nope"}, "is not KIND/ID"},
       }) {
    KeelRun run = Export(c.args);
    EXPECT_EQ(run.exit_code, 2) << run.Describe();
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.Describe();
    EXPECT_EQ(run.out, "") << run.Describe();
  }
}

TEST_F(ExportCommandTest, SwappedBoundsAndAnAmbiguousEntityAreErrors) {
  RunKickoff();
  KeelRun swapped = Export({"--from", "9", "--to", "3"});
  EXPECT_EQ(swapped.exit_code, 1) << swapped.Describe();
  EXPECT_EQ(swapped.err, "keel export: error: --from 9 is after --to 3\n");
  KeelRun ambiguous = Export({"--entity", "initiative/IN-42"});
  EXPECT_EQ(ambiguous.exit_code, 1) << ambiguous.Describe();
  EXPECT_NE(ambiguous.err.find("several workspaces"), std::string::npos) << ambiguous.Describe();
}

// An --out of CURRENT overwrote RocksDB's own file and damaged the log.
TEST_F(ExportCommandTest, AnOutputPathInsideADatabaseFolderIsRefusedAndNothingIsWritten) {
  RunKickoff();
  std::string current_before = ReadFileText(db() + "/CURRENT");
  std::filesystem::create_directories(dir_ / "elsewhere");
  std::filesystem::create_directory_symlink(db(), dir_ / "elsewhere" / "link");
  for (const std::string& out : {db() + "/CURRENT", db() + "/audit.ndjson", db(),
                                 (dir_ / "elsewhere" / "link" / "audit.csv").string()}) {
    KeelRun run = Export({"--out", out});
    EXPECT_EQ(run.exit_code, 2) << run.Describe();
    EXPECT_NE(run.err.find("'" + out + "' is inside the database folder '" + db() +
                           "'; writing there would damage the log: choose a path outside it"),
              std::string::npos)
        << run.Describe();
    EXPECT_EQ(run.out, "") << run.Describe();
  }
  EXPECT_EQ(ReadFileText(db() + "/CURRENT"), current_before);
  EXPECT_FALSE(std::filesystem::exists(db() + "/audit.ndjson"));
  KeelRun verify = RunKeel({"verify", "--db", db()});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
}

}  // namespace
}  // namespace keel::testing
