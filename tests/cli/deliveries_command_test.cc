// keel deliveries list|show: the dead letters keel serve kept, as a person
// (and a script, with --json) reads them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/webhooks/dead_letters.h"
#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

class DeliveriesCommandTest : public KeelCliTest {
 protected:
  std::string data() const { return (dir_ / "data").string(); }

  std::string Keep(std::string delivery, std::string received, std::string reason, std::string body) {
    auto store = webhooks::DeadLetterStore::Open(dir_ / "data" / std::string(webhooks::kDeadLetterFolder));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    webhooks::DeadLetter letter;
    letter.endpoint = "github";
    letter.delivery = std::move(delivery);
    letter.received = std::move(received);
    letter.reason = std::move(reason);
    letter.headers = {{"x-github-event", "push"}};
    letter.body = std::move(body);
    EXPECT_TRUE((*store)->Put(letter).ok());
    return letter.id;
  }
};

TEST_F(DeliveriesCommandTest, ListsOldestFirstWithReasons) {
  std::string later = Keep("d-2", "2026-12-07T11:00:00Z", "no case matches: push", "{}");
  std::string earlier = Keep("d-1", "2026-12-07T10:00:00Z", "case \"issue opened\", event 1, data.title: no such key",
                             R"({"action":"opened"})");
  KeelRun run = RunKeel({"deliveries", "list", "--db", data()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  size_t first = run.out.find(earlier), second = run.out.find(later);
  ASSERT_NE(first, std::string::npos) << run.out;
  ASSERT_NE(second, std::string::npos) << run.out;
  EXPECT_LT(first, second);
  EXPECT_NE(run.out.find("data.title: no such key"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("2 dead letter(s)"), std::string::npos) << run.out;

  KeelRun json = RunKeel({"deliveries", "list", "--db", data(), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  nlohmann::json parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed["dead_letters"].size(), 2u);
  EXPECT_EQ(parsed["dead_letters"][0]["id"], earlier);
  EXPECT_EQ(parsed["dead_letters"][0]["delivery"], "d-1");
  EXPECT_EQ(parsed["dead_letters"][0]["endpoint"], "github");
  EXPECT_EQ(parsed["dead_letters"][0]["bytes"], 19);
  EXPECT_EQ(parsed["dead_letters"][1]["reason"], "no case matches: push");
}

TEST_F(DeliveriesCommandTest, ShowsOneWithItsHeadersAndBody) {
  std::string id = Keep("d-1", "2026-12-07T10:00:00Z", "no case matches: push", R"({"ref":"main"})");
  KeelRun run = RunKeel({"deliveries", "show", "--db", data(), id, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json parsed = nlohmann::json::parse(run.out);
  EXPECT_EQ(parsed["headers"]["x-github-event"], "push");
  EXPECT_EQ(parsed["body"], R"({"ref":"main"})");
  EXPECT_EQ(parsed["reason"], "no case matches: push");

  KeelRun text = RunKeel({"deliveries", "show", "--db", data(), id});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find("x-github-event: push"), std::string::npos) << text.out;
}

TEST_F(DeliveriesCommandTest, NoneIsSaidPlainly) {
  std::filesystem::create_directories(dir_ / "data");
  KeelRun run = RunKeel({"deliveries", "list", "--db", data()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(run.out, "no dead letters\n");
}

TEST_F(DeliveriesCommandTest, AnUnknownIdOrFolderFails) {
  Keep("d-1", "2026-12-07T10:00:00Z", "x", "{}");
  KeelRun unknown = RunKeel({"deliveries", "show", "--db", data(), "github-0000000000000000"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.Describe();
  EXPECT_NE(unknown.err.find("no dead letter 'github-0000000000000000'"), std::string::npos) << unknown.err;
  KeelRun missing = RunKeel({"deliveries", "list", "--db", (dir_ / "nowhere").string()});
  EXPECT_EQ(missing.exit_code, 1) << missing.Describe();
  EXPECT_NE(missing.err.find("is not a folder"), std::string::npos) << missing.err;
  KeelRun usage = RunKeel({"deliveries", "list"});
  EXPECT_EQ(usage.exit_code, 2) << usage.Describe();
}

}  // namespace
}  // namespace keel::testing
