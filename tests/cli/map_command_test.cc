// keel map and keel mappings check|test, run as a user would.
#include <filesystem>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using nlohmann::json;

const char* kMapping = R"(mapping: tiny
source: "tiny/{{ body.project }}"
delivery_id: headers["x-tiny-delivery"]
cases:
  - name: created
    if: headers["x-tiny-event"] == "created"
    events:
      - type: task.created
        subject: "task/tiny:{{ body.id }}"
        time: "{{ parse_time(body.at) }}"
        actor: "{{ person('github', body.by) }}"
        data: {title: "{{ body.title }}"}
  - name: ping
    if: headers["x-tiny-event"] == "ping"
    ignore: just a ping
)";

class MapCommandTest : public KeelCliTest {
 protected:
  void SetUp() override {
    KeelCliTest::SetUp();
    WriteFile("tiny.yaml", kMapping);
    WriteFile("people.yaml", "people:\n  - id: dana\n    github: dscully\n");
    WriteFile("created.json", R"({"project":"p","id":7,"at":1537273940000,"by":"dscully","title":"Hi"})");
  }
  std::string Path(const char* name) { return (dir_ / name).string(); }
};

TEST_F(MapCommandTest, PrintsOneCloudEventPerLine) {
  KeelRun run = RunKeel({"map", "--mapping", Path("tiny.yaml"), "--workspace", "acme", "--people", Path("people.yaml"),
                         "--header", "X-Tiny-Event: created", "--header", "X-Tiny-Delivery: d1", Path("created.json")});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  std::vector<std::string> lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 1u) << run.out;
  EXPECT_EQ(lines[0],
            R"({"specversion":"1.0","id":"tiny:d1:0","source":"tiny/p","type":"task.created","subject":"task/tiny:7",)"
            R"("time":"2018-09-18T12:32:20Z","workspace":"acme","actor":"user:dana","data":{"title":"Hi"}})");
}

TEST_F(MapCommandTest, JsonSaysIgnoredAndEndpointScopesIds) {
  KeelRun ping = RunKeel({"map", "--mapping", Path("tiny.yaml"), "--json", "--header", "x-tiny-event: ping", "-"}, "{}");
  ASSERT_EQ(ping.exit_code, 0) << ping.Describe();
  EXPECT_EQ(json::parse(ping.out), json::parse(R"({"events":[],"ignored":"just a ping"})"));
  KeelRun created = RunKeel({"map", "--mapping", Path("tiny.yaml"), "--json", "--endpoint", "hooks-a", "--header",
                             "X-Tiny-Event: created", "--header", "X-Tiny-Delivery: d1", Path("created.json")});
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  json out = json::parse(created.out);
  EXPECT_EQ(out["events"][0]["id"], "hooks-a:d1:0");
  EXPECT_EQ(out["events"][0]["workspace"], "default");
  EXPECT_EQ(out["events"][0]["actor"], "github:dscully");
  EXPECT_TRUE(out["ignored"].is_null());
}

TEST_F(MapCommandTest, RefusedExitsOneWithTheReason) {
  WriteFile("untitled.json", R"({"project":"p","id":7,"at":1537273940000,"by":"x"})");
  KeelRun run = RunKeel({"map", "--mapping", Path("tiny.yaml"), "--header", "X-Tiny-Event: created", Path("untitled.json")});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.err.find("case \"created\", event 1, data.title: no such key: 'title'"), std::string::npos) << run.err;
  KeelRun usage = RunKeel({"map", Path("created.json")});
  EXPECT_EQ(usage.exit_code, 2) << usage.Describe();
  KeelRun unknown = RunKeel({"map", "--source", "nosuchtool", Path("created.json")});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.Describe();
  EXPECT_NE(unknown.err.find("no built-in mapping 'nosuchtool'"), std::string::npos) << unknown.err;
}

TEST_F(MapCommandTest, MappingsCheckPointsIntoTheFile) {
  WriteFile("bad.yaml", "mapping: bad\nsource: s\ncases:\n  - name: a\n    if: body.x ==\n    ignore: x\n");
  KeelRun run = RunKeel({"mappings", "check", Path("tiny.yaml"), Path("bad.yaml")});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("ok: " + Path("tiny.yaml") + ": mapping tiny, 2 cases"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(Path("bad.yaml") + ":5:18: case \"a\", if: "), std::string::npos) << run.out;
  KeelRun good = RunKeel({"mappings", "check", Path("tiny.yaml")});
  EXPECT_EQ(good.exit_code, 0) << good.Describe();
}

TEST_F(MapCommandTest, MappingsTestRunsPartialMatches) {
  std::filesystem::create_directories(dir_ / "tests");
  WriteFile("tests/t.yaml", R"(mapping: ../tiny.yaml
workspace: acme
people: ../people.yaml
tests:
  - name: created maps
    payload: ../created.json
    headers: {X-Tiny-Event: created, X-Tiny-Delivery: d1}
    expect:
      - {type: task.created, subject: task/tiny:7, actor: user:dana, data: {title: Hi}}
  - name: ping ignored
    payload: ../created.json
    headers: {X-Tiny-Event: ping}
    expect_ignored: ping
  - name: wrong on purpose
    payload: ../created.json
    headers: {X-Tiny-Event: created}
    expect:
      - {type: task.created, data: {title: Bye}}
)");
  KeelRun run = RunKeel({"mappings", "test", (dir_ / "tests").string()});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("PASS  created maps"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("PASS  ping ignored"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("FAIL  wrong on purpose"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("event 1.data.title: expected \"Bye\", got \"Hi\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("3 tests: 2 passed, 1 failed"), std::string::npos) << run.out;
}

TEST_F(MapCommandTest, MappingsCheckAndTestTakeActionMappings) {
  WriteFile("act.yaml", "action: act\ncases:\n  - name: close\n    if: event.type == 'task.status_changed'\n"
                        "    request: {method: PUT, url: \"https://tool.example/items/{{ event.subject }}\", body: {state: closed}}\n"
                        "otherwise: {ignore: not for this tool}\n");
  WriteFile("act_bad.yaml", "action: act\ncases:\n  - name: a\n    request: {method: GET, url: '{{ vars. }}'}\n");
  KeelRun check = RunKeel({"mappings", "check", Path("act.yaml"), Path("act_bad.yaml")});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  EXPECT_NE(check.out.find("ok: " + Path("act.yaml") + ": action mapping act, 1 case"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find(Path("act_bad.yaml") + ":4:"), std::string::npos) << check.out;
  std::filesystem::create_directories(dir_ / "acts");
  WriteFile("acts/t.yaml", R"(action_mapping: ../act.yaml
tests:
  - name: done closes it
    event: {specversion: "1.0", id: e-1, source: s, type: task.status_changed, subject: task/T-1,
            time: "2026-03-02T09:00:00Z", workspace: acme, actor: "user:dana", data: {to: done}}
    expect_request: {method: PUT, url: "https://tool.example/items/task/T-1", body_exact: {state: closed}}
  - name: wrong on purpose
    event: {specversion: "1.0", id: e-2, source: s, type: task.status_changed, subject: task/T-1,
            time: "2026-03-02T09:00:00Z", workspace: acme, actor: "user:dana", data: {to: done}}
    expect_request: {method: POST}
  - name: other events are ignored
    event: {specversion: "1.0", id: e-3, source: s, type: comment.added, subject: task/T-1,
            time: "2026-03-02T09:00:00Z", workspace: acme, actor: "user:dana", data: {text: hi}}
    expect_ignored: not for this tool
)");
  KeelRun run = RunKeel({"mappings", "test", (dir_ / "acts").string()});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("PASS  done closes it"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("request.method: expected POST, got PUT"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("PASS  other events are ignored"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("3 tests: 2 passed, 1 failed"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace keel::testing
