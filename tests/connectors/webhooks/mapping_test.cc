// connectors/webhooks: mapping files loaded and evaluated with keel's CEL.
// Every expected event and message is written by hand from the mapping
// language's documentation (connectors/webhooks/README.md).
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "connectors/webhooks/builtin_mappings.h"
#include "connectors/webhooks/map_delivery.h"
#include "connectors/webhooks/mapping.h"
#include "connectors/webhooks/people.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"

namespace keel::webhooks {
namespace {

const SchemaRegistry& Schemas() {
  static const std::unique_ptr<SchemaRegistry> registry = SchemaRegistry::LoadEmbedded().value();
  return *registry;
}

Result<Mapping> Load(std::string_view text) {
  return LoadMapping("m.yaml", text, rules::CelExpressions(), &Schemas());
}

const char* kGitHub = R"(mapping: gh
description: a small GitHub mapping
signature:
  scheme: hmac-sha256
  header: X-Hub-Signature-256
  prefix: "sha256="
delivery_id: headers["x-github-delivery"]
source: "github/{{ body.repository.full_name }}"
let:
  issue: body.issue
cases:
  - name: issue opened
    if: headers["x-github-event"] == "issues" && body.action == "opened"
    events:
      - type: task.created
        subject: "task/github:{{ issue.node_id }}"
        time: "{{ issue.created_at }}"
        actor: "{{ person('github', body.sender.login) }}"
        data:
          title: "{{ issue.title }}"
          number: "{{ issue.number }}"
          url: "Issue #{{ issue.number }}"
          due?: "{{ issue.due }}"
          labels: "{{ issue.labels.map(l, l.name) }}"
  - name: labels
    if: headers["x-github-event"] == "issues" && body.action == "labeled"
    events:
      - for_each: body.issue.labels
        if: item.name != "skip"
        id: "label-{{ item.name }}"
        type: task.updated
        subject: "task/github:{{ issue.node_id }}"
        time: "{{ parse_time(issue.updated_at) }}"
        data:
          changes: "{{ {'label_' + string(index): {'to': item.name}} }}"
  - name: ping
    if: headers["x-github-event"] == "ping"
    ignore: "GitHub's ping"
otherwise:
  ignore: "GitHub sends {{ headers['x-github-event'] }} events"
)";

const char* kOpened = R"({"action":"opened","repository":{"full_name":"acme/app"},
  "sender":{"login":"Dscully"},
  "issue":{"node_id":"I_1","number":7,"title":"Fix it","created_at":"2024-05-01T10:00:00Z","due":null,
           "labels":[{"name":"bug"}]}})";

class PeopleFixture {
 public:
  PeopleFixture() {
    auto file = PeopleFile::Load("people.yaml", "people:\n  - id: dana\n    github: dscully\n");
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    people = std::make_shared<PeopleFile>(*std::move(file));
  }
  std::shared_ptr<PeopleFile> people;
};

MappingOutcome Map(const Mapping& mapping, std::vector<std::pair<std::string, std::string>> headers,
                   std::string_view body, const PeopleDirectory* people = nullptr) {
  static auto scope = rules::CelExpressions().NewScope();
  LowerCaseHeaders(&headers);
  Delivery delivery{"gh-acme", headers, body};
  MapOptions options;
  options.workspace = "acme";
  options.schemas = &Schemas();
  options.people = [people](std::string_view) { return people; };
  return MapDelivery(mapping, delivery, options, *scope);
}

TEST(WebhookMapping, MapsADeliveryToCloudEvents) {
  Result<Mapping> mapping = Load(kGitHub);
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  EXPECT_EQ(mapping->name, "gh");
  ASSERT_TRUE(mapping->signature.has_value());
  EXPECT_EQ(mapping->signature->prefix, "sha256=");
  PeopleFixture people;
  MappingOutcome out = Map(*mapping, {{"X-GitHub-Event", "issues"}, {"X-GitHub-Delivery", "d-1"}}, kOpened,
                           people.people.get());
  ASSERT_EQ(out.kind, MappingOutcome::Kind::kEvents) << out.reason;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.case_name, "issue opened");
  EXPECT_EQ(out.events[0].dump(),
            R"({"specversion":"1.0","id":"gh-acme:d-1:0","source":"github/acme/app","type":"task.created",)"
            R"("subject":"task/github:I_1","time":"2024-05-01T10:00:00Z","workspace":"acme","actor":"user:dana",)"
            R"("data":{"labels":["bug"],"number":7,"title":"Fix it","url":"Issue #7"}})");
}

TEST(WebhookMapping, UnknownPeopleAreToolQualified) {
  Result<Mapping> mapping = Load(kGitHub);
  ASSERT_TRUE(mapping.ok());
  MappingOutcome out = Map(*mapping, {{"X-GitHub-Event", "issues"}, {"X-GitHub-Delivery", "d-1"}}, kOpened);
  ASSERT_EQ(out.kind, MappingOutcome::Kind::kEvents) << out.reason;
  EXPECT_EQ(out.events[0]["actor"], "github:Dscully");
}

TEST(WebhookMapping, ForEachMakesOneEventPerItemWithItsId) {
  Result<Mapping> mapping = Load(kGitHub);
  ASSERT_TRUE(mapping.ok());
  const char* body = R"({"action":"labeled","repository":{"full_name":"acme/app"},"sender":{"login":"x"},
    "issue":{"node_id":"I_1","updated_at":"2018-09-18T12:32:20.000+0000",
             "labels":[{"name":"bug"},{"name":"skip"},{"name":"ui"}]}})";
  MappingOutcome out = Map(*mapping, {{"x-github-event", "issues"}, {"x-github-delivery", "d-2"}}, body);
  ASSERT_EQ(out.kind, MappingOutcome::Kind::kEvents) << out.reason;
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0]["id"], "gh-acme:d-2:label-bug");
  EXPECT_EQ(out.events[1]["id"], "gh-acme:d-2:label-ui");
  EXPECT_EQ(out.events[1]["time"], "2018-09-18T12:32:20Z");
  EXPECT_EQ(out.events[1]["actor"], "system:gh");
  EXPECT_EQ(out.events[1]["data"].dump(), R"({"changes":{"label_2":{"to":"ui"}}})");
}

TEST(WebhookMapping, IgnoresWithTheCaseOrOtherwiseReason) {
  Result<Mapping> mapping = Load(kGitHub);
  ASSERT_TRUE(mapping.ok());
  MappingOutcome ping = Map(*mapping, {{"X-GitHub-Event", "ping"}}, R"({"zen":"x","repository":{"full_name":"a/b"}})");
  EXPECT_EQ(ping.kind, MappingOutcome::Kind::kIgnored);
  EXPECT_EQ(ping.reason, "GitHub's ping");
  MappingOutcome star = Map(*mapping, {{"X-GitHub-Event", "star"}}, R"({"repository":{"full_name":"a/b"}})");
  EXPECT_EQ(star.kind, MappingOutcome::Kind::kIgnored);
  EXPECT_EQ(star.reason, "GitHub sends star events");
}

TEST(WebhookMapping, RefusesAMissingFieldNamingCaseEventAndField) {
  Result<Mapping> mapping = Load(kGitHub);
  ASSERT_TRUE(mapping.ok());
  const char* body = R"({"action":"opened","repository":{"full_name":"acme/app"},"sender":{"login":"x"},
    "issue":{"node_id":"I_1","number":7,"created_at":"2024-05-01T10:00:00Z","labels":[]}})";
  MappingOutcome out = Map(*mapping, {{"X-GitHub-Event", "issues"}}, body);
  EXPECT_EQ(out.kind, MappingOutcome::Kind::kRefused);
  EXPECT_EQ(out.reason, "case \"issue opened\", event 1, data.title: no such key: 'title'");
  EXPECT_TRUE(out.events.empty());
}

TEST(WebhookMapping, ALetThatFailsFailsOnlyWhereItIsRead) {
  Result<Mapping> mapping = Load(kGitHub);
  ASSERT_TRUE(mapping.ok());
  // No issue: the let fails, and so does the first expression that reads it.
  MappingOutcome out = Map(*mapping, {{"X-GitHub-Event", "issues"}},
                           R"({"action":"opened","repository":{"full_name":"a/b"},"sender":{"login":"x"}})");
  EXPECT_EQ(out.kind, MappingOutcome::Kind::kRefused);
  EXPECT_EQ(out.reason, "case \"issue opened\", event 1, subject: issue: no such key: 'issue'");
}

TEST(WebhookMapping, RefusesWhatTheSchemaRefusesAndTimesThatAreNotTimes) {
  Result<Mapping> mapping = Load(kGitHub);
  ASSERT_TRUE(mapping.ok());
  const char* no_title = R"({"action":"opened","repository":{"full_name":"acme/app"},"sender":{"login":"x"},
    "issue":{"node_id":"I_1","number":7,"title":"","created_at":"2024-05-01T10:00:00Z","due":null,"labels":[]}})";
  MappingOutcome empty = Map(*mapping, {{"X-GitHub-Event", "issues"}}, no_title);
  EXPECT_EQ(empty.kind, MappingOutcome::Kind::kRefused);
  EXPECT_EQ(empty.reason.rfind("case \"issue opened\", event 1: data.title", 0), 0u) << empty.reason;
  const char* bad_time = R"({"action":"opened","repository":{"full_name":"acme/app"},"sender":{"login":"x"},
    "issue":{"node_id":"I_1","number":7,"title":"t","created_at":"yesterday","due":null,"labels":[]}})";
  MappingOutcome time = Map(*mapping, {{"X-GitHub-Event", "issues"}}, bad_time);
  EXPECT_EQ(time.kind, MappingOutcome::Kind::kRefused);
  EXPECT_EQ(time.reason.rfind("case \"issue opened\", event 1, time: 'yesterday' is not an RFC 3339 time", 0), 0u)
      << time.reason;
}

TEST(WebhookMapping, RefusesMalformedBodiesAndUnmatchedDeliveries) {
  Result<Mapping> mapping = Load(R"(mapping: m
source: s
cases:
  - name: a
    if: body.kind == "a"
    ignore: x
)");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  MappingOutcome bad = Map(*mapping, {}, "{not json");
  EXPECT_EQ(bad.kind, MappingOutcome::Kind::kRefused);
  EXPECT_EQ(bad.reason.rfind("body: not JSON", 0), 0u) << bad.reason;
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  MappingOutcome too_deep = Map(*mapping, {}, deep);
  EXPECT_EQ(too_deep.kind, MappingOutcome::Kind::kRefused);
  EXPECT_EQ(too_deep.reason.rfind("body: not JSON: The JSON document was too deep", 0), 0u) << too_deep.reason;
  MappingOutcome none = Map(*mapping, {}, R"({"kind":"b"})");
  EXPECT_EQ(none.kind, MappingOutcome::Kind::kRefused);
  EXPECT_EQ(none.reason, "no case of mapping \"m\" matches this delivery, and it has no otherwise:");
}

TEST(WebhookMapping, DeliveryIdFallsBackToTheBodysSha256) {
  Result<Mapping> mapping = Load(kGitHub);
  ASSERT_TRUE(mapping.ok());
  // No X-GitHub-Delivery: the id is the SHA-256 of the raw body.
  MappingOutcome out = Map(*mapping, {{"X-GitHub-Event", "issues"}}, "{\"action\":\"opened\"}");
  // sha256('{"action":"opened"}'), computed with sha256sum.
  EXPECT_EQ(out.delivery_id, "d592421cfe150deec6c49b8989cc99478e39c7f8cdd4c36f5b1c4cfeff394e24");
}

TEST(WebhookMapping, LongIdsAreHashed) {
  EXPECT_EQ(MappedEventId("gh", "d-1", "0"), "gh:d-1:0");
  std::string long_key(300, 'k');
  std::string id = MappedEventId("gh", "d-1", long_key);
  EXPECT_EQ(id.rfind("gh:sha256:", 0), 0u);
  EXPECT_EQ(id.size(), std::string("gh:sha256:").size() + 64);
  EXPECT_EQ(MappedEventId("gh", "d-1", "a\nb").rfind("gh:sha256:", 0), 0u);
  // 256 characters exactly is kept: "gh:d-1:" is 7.
  EXPECT_EQ(MappedEventId("gh", "d-1", std::string(249, 'k')).size(), 256u);
}

TEST(WebhookMapping, BoundsTheEventsOfOneDelivery) {
  Result<Mapping> mapping = Load(R"(mapping: m
source: s
cases:
  - name: many
    events:
      - for_each: body.items
        type: comment.added
        subject: "task/t"
        time: "2024-01-01T00:00:00Z"
        data: {text: "{{ string(item) }}"}
)");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  std::string body = "{\"items\":[";
  for (int i = 0; i < 1001; ++i) body += (i ? "," : "") + std::to_string(i);
  body += "]}";
  MappingOutcome out = Map(*mapping, {}, body);
  EXPECT_EQ(out.kind, MappingOutcome::Kind::kRefused);
  EXPECT_EQ(out.reason, "case \"many\", event 1, item 1000: more than 1000 events from one delivery");
}

void ExpectLoadError(std::string_view text, std::string_view expected) {
  Result<Mapping> mapping = Load(text);
  ASSERT_FALSE(mapping.ok());
  EXPECT_EQ(mapping.status().message().substr(0, expected.size()), expected) << mapping.status().message();
}

TEST(WebhookMappingLoad, PointsCelErrorsIntoTheFile) {
  ExpectLoadError("mapping: m\nsource: s\ncases:\n  - name: a\n    if: body.x &&\n    ignore: x\n",
                  "m.yaml:5:18: case \"a\", if: ");
  ExpectLoadError("mapping: m\nsource: s\ncases:\n  - name: a\n    if: \"bodyy.x\"\n    ignore: x\n",
                  "m.yaml:5:10: case \"a\", if: ");
  ExpectLoadError("mapping: m\nsource: \"x/{{ body..y }}\"\ncases: []\n", "m.yaml:2:");
}

TEST(WebhookMappingLoad, RefusesUnknownKeysTypesAndRepeatedCases) {
  ExpectLoadError("mapping: m\nsource: s\nsauce: x\ncases: []\n", "m.yaml:3:1: unknown key 'sauce' in mapping file");
  ExpectLoadError(
      "mapping: m\nsource: s\ncases:\n  - name: a\n    events:\n      - type: task.exploded\n"
      "        subject: task/x\n        time: \"2024-01-01T00:00:00Z\"\n",
      "m.yaml:6:15: case \"a\", event 1, type: unknown event type \"task.exploded\"");
  ExpectLoadError("mapping: m\nsource: s\ncases:\n  - name: a\n    ignore: x\n  - name: a\n    ignore: y\n",
                  "m.yaml:6:11: a second case named \"a\"");
  ExpectLoadError("mapping: m\nsource: s\ncases:\n  - name: a\n    events:\n      - type: task.created\n"
                  "        subjet: task/x\n",
                  "m.yaml:7:9: unknown key 'subjet' in event");
  ExpectLoadError("mapping: m\ncases: []\n", "m.yaml:1:1: missing key 'source'");
  ExpectLoadError("mapping: m\nsource: s\ncases:\n  - name: a\n", "m.yaml:4:5: case \"a\": give either events: or ignore:");
  ExpectLoadError("mapping: m\nsource: s\nlet:\n  body: body.x\ncases: []\n", "m.yaml:4:3: let: 'body' is already a variable");
  ExpectLoadError("mapping: [\n", "m.yaml:");
}

TEST(WebhookMappingLoad, LetsSeeOnlyTheOnesBefore) {
  ExpectLoadError("mapping: m\nsource: s\nlet:\n  a: b\n  b: body.x\ncases: []\n", "m.yaml:4:6: let.a: ");
}

TEST(PeopleFileLoad, LooksUpIdentitiesAndRefusesConflicts) {
  const char* text = R"(people:
  - id: dana
    name: Dana Scully
    email: Dana@Example.com
    jira: [5b10ac8d82e05b22cc7d4ef5, dscully]
    github: dscully
    clickup: 183
  - id: fox
    linear: 2f8d5e7a
)";
  Result<PeopleFile> file = PeopleFile::Load("p.yaml", text);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->Find("jira", "dscully"), "dana");
  EXPECT_EQ(file->Find("jira", "5b10ac8d82e05b22cc7d4ef5"), "dana");
  EXPECT_EQ(file->Find("email", "dana@example.com"), "dana");
  EXPECT_EQ(file->Find("github", "DScully"), "dana");
  EXPECT_EQ(file->Find("clickup", "183"), "dana");
  EXPECT_EQ(file->Find("linear", "2f8d5e7a"), "fox");
  EXPECT_EQ(file->Find("jira", "DSCULLY"), std::nullopt);
  EXPECT_EQ(file->Find("gitlab", "dscully"), std::nullopt);
  EXPECT_EQ(file->ById("dana")->name, "Dana Scully");

  auto error = [](std::string_view t) { return PeopleFile::Load("p.yaml", t).status().message(); };
  EXPECT_EQ(error("people:\n  - id: a\n    slack: x\n"),
            "p.yaml:3:5: unknown key 'slack' (known: id, name, email, jira, github, gitlab, clickup, linear)");
  EXPECT_EQ(error("people:\n  - id: a\n  - id: a\n"), "p.yaml:3:9: id: 'a' is given to two people");
  EXPECT_EQ(error("people:\n  - id: a\n    github: x\n  - id: b\n    github: X\n"),
            "p.yaml:4:5: github identity 'X' is given to both 'a' and 'b'");
  EXPECT_EQ(error("people:\n  - name: a\n"), "p.yaml:2:5: a person needs an id (the keel user id)");
}

TEST(BuiltinMappings, EveryBuiltinLoads) {
  for (const std::string& name : BuiltinMappingNames()) {
    Result<Mapping> mapping = LoadBuiltinMapping(name, rules::CelExpressions(), &Schemas());
    EXPECT_TRUE(mapping.ok()) << name << ": " << mapping.status().ToString();
  }
  Result<Mapping> none = LoadBuiltinMapping("nosuchtool", rules::CelExpressions());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace keel::webhooks

namespace keel::webhooks {
namespace {

// Binding only the parts of the body a mapping reads (Mapping::body_selection)
// must change nothing: every built-in on every fixture maps the same with the
// whole body. The fixtures are shared/fixtures/webhooks beside the checkout.
MappingOutcome MapWith(const Mapping& mapping, const std::string& body, const std::string& event) {
  static auto scope = rules::CelExpressions().NewScope();
  Delivery delivery{"e", {{"x-github-event", event}, {"x-gitlab-event", "Issue Hook"}, {"x-github-delivery", "d"}}, body};
  MapOptions options;
  options.workspace = "acme";
  options.schemas = &Schemas();
  return MapDelivery(mapping, delivery, options, *scope);
}

std::string Describe(const MappingOutcome& out) {
  std::string text = std::string(OutcomeKindName(out.kind)) + " " + out.reason + " " + out.case_name;
  for (const auto& event : out.events) text += "\n" + event.dump();
  return text;
}

TEST(BodySelection, MapsTheSameAsTheWholeBody) {
  // Beside the checkout (CI), or beside the worktrees' folder (a developer's worktree).
  std::filesystem::path fixtures = std::filesystem::path(KEEL_SOURCE_DIR) / "../shared/fixtures/webhooks";
  if (!std::filesystem::exists(fixtures)) fixtures = std::filesystem::path(KEEL_SOURCE_DIR) / "../../shared/fixtures/webhooks";
  if (!std::filesystem::exists(fixtures)) GTEST_SKIP() << "no shared/fixtures/webhooks";
  std::vector<Mapping> mappings;
  Result<Mapping> own = Load(kGitHub);
  ASSERT_TRUE(own.ok());
  mappings.push_back(*own);
  for (const std::string& name : BuiltinMappingNames()) mappings.push_back(LoadBuiltinMapping(name, rules::CelExpressions(), &Schemas()).value());
  int compared = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(fixtures)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string event = entry.path().filename().string();
    event = event.substr(0, event.find('.'));
    for (const Mapping& mapping : mappings) {
      Mapping whole = mapping;
      whole.body_selection = nullptr;
      EXPECT_EQ(Describe(MapWith(mapping, body, event)), Describe(MapWith(whole, body, event)))
          << mapping.name << " on " << entry.path();
      ++compared;
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(BodySelection, KeepsWhatTheExpressionsRead) {
  Result<Mapping> mapping = Load(kGitHub);
  ASSERT_TRUE(mapping.ok());
  ASSERT_NE(mapping->body_selection, nullptr);
  // A mapping that reads the body whole binds all of it.
  Result<Mapping> whole = Load("mapping: m\nsource: \"{{ size(body) }}\"\ncases: []\n");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->body_selection, nullptr);
}

}  // namespace
}  // namespace keel::webhooks
