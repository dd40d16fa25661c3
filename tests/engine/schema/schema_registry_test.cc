#include "engine/schema/schema_registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/schema/embedded_schemas.h"
#include "tests/engine/schema/schema_test_support.h"

namespace keel {
namespace {

using nlohmann::json;
using testing::ExampleOfType;
using testing::ValidateJson;
using testing::ValidExampleEvents;

const std::vector<std::string> kKinds = {"goal", "key_result", "kpi", "initiative", "task", "approval"};

std::vector<std::string> ExpectedTypes() {
  std::vector<std::string> types;
  for (const std::string& kind : kKinds) {
    for (const char* verb : {"created", "updated", "status_changed", "assigned", "linked", "archived"}) {
      types.push_back(kind + "." + verb);
    }
  }
  for (const char* type : {"key_result.progress_reported", "kpi.measured", "comment.added", "approval.requested",
                           "approval.granted", "approval.rejected", "timer.scheduled", "timer.cancelled", "timer.fired", "ruleset.activated",
                           "rule.halted", "rule.failed", "notification.requested"}) {
    types.push_back(type);
  }
  std::sort(types.begin(), types.end());
  return types;
}

std::map<std::string, std::string> EmbeddedFiles() {
  std::map<std::string, std::string> files;
  for (const EmbeddedFile& file : EmbeddedSchemaFiles()) files.emplace(file.path, file.content);
  return files;
}

class SchemaRegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = SchemaRegistry::LoadEmbedded();
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    registry_ = std::move(loaded).value().release();
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }

  // The error message of validating `event`, or "OK".
  static std::string ErrorOf(const json& event) {
    Status status = ValidateJson(*registry_, event);
    if (!status.ok()) {
      EXPECT_TRUE(status.Is(StatusCode::kInvalidArgument)) << status.ToString();
    }
    return status.ok() ? "OK" : status.message();
  }

  static std::string ErrorOfLoading(std::map<std::string, std::string> files) {
    auto loaded = SchemaRegistry::LoadFromFiles(std::move(files));
    return loaded.ok() ? "OK" : loaded.status().message();
  }

  static SchemaRegistry* registry_;
};

SchemaRegistry* SchemaRegistryTest::registry_ = nullptr;

TEST_F(SchemaRegistryTest, KnowsExactlyTheBuiltInTypes) {
  EXPECT_EQ(registry_->Types(), ExpectedTypes());
  EXPECT_TRUE(registry_->HasType("task.created"));
  EXPECT_FALSE(registry_->HasType("task.exploded"));
}

TEST_F(SchemaRegistryTest, EmbeddedSchemasAreTheFilesOfTheSchemaFolder) {
  std::map<std::string, std::string> on_disk;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::SchemaDir())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    on_disk.emplace(entry.path().lexically_relative(testing::SchemaDir()).generic_string(), text.str());
  }
  EXPECT_EQ(EmbeddedFiles(), on_disk);
  auto from_directory = SchemaRegistry::LoadFromDirectory(testing::SchemaDir());
  ASSERT_TRUE(from_directory.ok()) << from_directory.status().ToString();
  EXPECT_EQ((*from_directory)->Types(), registry_->Types());
}

TEST_F(SchemaRegistryTest, EveryTypeHasAValidExample) {
  std::set<std::string> covered;
  for (const json& event : ValidExampleEvents()) {
    EXPECT_EQ(ErrorOf(event), "OK") << event.dump();
    covered.insert(event["type"]);
  }
  for (const std::string& type : registry_->Types()) EXPECT_TRUE(covered.count(type)) << type;
}

TEST_F(SchemaRegistryTest, EveryTypeRefusesABrokenExample) {
  for (const json& example : ValidExampleEvents()) {
    std::string type = example["type"];
    json event = example;
    event["data"] = json::array();
    EXPECT_EQ(ErrorOf(event), "data: expected object, got array") << type;
    event = example;
    event["data"]["Bad-Key"] = 1;
    std::string error = ErrorOf(event);
    bool takes_custom_fields = type.ends_with(".created");
    EXPECT_EQ(error, takes_custom_fields ? "data.Bad-Key: 'Bad-Key' does not match '^[A-Za-z_][A-Za-z0-9_]{0,63}$'"
                                         : "data: unknown property 'Bad-Key'")
        << type;
    event = example;
    event["subject"] = "no-kind";
    EXPECT_NE(ErrorOf(event).find("subject: 'no-kind' does not match"), std::string::npos) << type;
  }
}

TEST_F(SchemaRegistryTest, MissingAttribute) {
  for (const char* attribute : {"specversion", "id", "source", "type", "subject", "time", "workspace", "actor", "data"}) {
    json event = ExampleOfType("task.status_changed");
    event.erase(attribute);
    EXPECT_EQ(ErrorOf(event), "missing required attribute '" + std::string(attribute) + "'");
  }
}

TEST_F(SchemaRegistryTest, MissingDataField) {
  json event = ExampleOfType("task.status_changed");
  event["data"].erase("to");
  EXPECT_EQ(ErrorOf(event), "data: missing required property 'to'");
  event = ExampleOfType("task.created");
  event["data"].erase("title");
  EXPECT_EQ(ErrorOf(event), "data: missing required property 'title'");
}

TEST_F(SchemaRegistryTest, WrongType) {
  json event = ExampleOfType("task.status_changed");
  event["data"]["to"] = 5;
  EXPECT_EQ(ErrorOf(event), "data.to: expected string, got number");
  event["data"]["to"] = "done";
  event["data"]["from"] = true;
  EXPECT_EQ(ErrorOf(event), "data.from: expected string or null, got boolean");
  event = ExampleOfType("task.status_changed");
  event["data"] = json::array();
  EXPECT_EQ(ErrorOf(event), "data: expected object, got array");
  EXPECT_EQ(ErrorOf(json::array()), "expected object, got array");
}

TEST_F(SchemaRegistryTest, UnknownType) {
  json event = ExampleOfType("task.status_changed");
  event["type"] = "task.exploded";
  EXPECT_EQ(ErrorOf(event), "unknown event type 'task.exploded'");
}

TEST_F(SchemaRegistryTest, MalformedTypeName) {
  json event = ExampleOfType("task.status_changed");
  event["type"] = "Task.Created";
  EXPECT_EQ(ErrorOf(event), "type: 'Task.Created' does not match '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'");
  event["type"] = "task";
  EXPECT_NE(ErrorOf(event).find("type: 'task' does not match"), std::string::npos);
}

TEST_F(SchemaRegistryTest, SubjectKindMustMatchTheType) {
  json event = ExampleOfType("task.status_changed");
  event["subject"] = "goal/G-1";
  EXPECT_EQ(ErrorOf(event), "subject: 'goal/G-1' does not match '^task/'");
  event = ExampleOfType("key_result.progress_reported");
  event["subject"] = "kpi/K-1";
  EXPECT_EQ(ErrorOf(event), "subject: 'kpi/K-1' does not match '^key_result/'");
  event = ExampleOfType("approval.granted");
  event["subject"] = "task/T-1";
  EXPECT_EQ(ErrorOf(event), "subject: 'task/T-1' does not match '^approval/'");
}

TEST_F(SchemaRegistryTest, SubjectIsKindSlashId) {
  json event = ExampleOfType("timer.fired");
  for (const char* subject : {"task/T-1", "anything/x", "task/T-1/sub/2", "task/é"}) {
    event["subject"] = subject;
    EXPECT_EQ(ErrorOf(event), "OK") << subject;
  }
  for (const char* subject : {"T-1", "task/", "/T-1", "Task/T-1", "1task/T", "task/T\x01"}) {
    event["subject"] = subject;
    EXPECT_NE(ErrorOf(event).find("subject: "), std::string::npos) << subject;
  }
  event["subject"] = "task/" + std::string(256, 'x');
  EXPECT_EQ(ErrorOf(event), "OK");
  event["subject"] = "task/" + std::string(257, 'x');
  EXPECT_NE(ErrorOf(event).find("subject: "), std::string::npos);
}

TEST_F(SchemaRegistryTest, CommentsGoOnAnyEntityKind) {
  json event = ExampleOfType("comment.added");
  for (const std::string& kind : kKinds) {
    event["subject"] = kind + "/X-1";
    EXPECT_EQ(ErrorOf(event), "OK") << kind;
  }
  event["subject"] = "user/alice";
  EXPECT_EQ(ErrorOf(event), "subject: 'user/alice' does not match '^(goal|key_result|kpi|initiative|task|approval)/'");
}

TEST_F(SchemaRegistryTest, BadTime) {
  json event = ExampleOfType("task.status_changed");
  for (const char* time : {"2026-03-02", "2026-03-02T09:00:00", "2026-02-30T09:00:00Z", "2026-03-02T24:00:00Z",
                           "26-03-02T09:00:00Z", "2026-03-02 09:00:00Z", "yesterday"}) {
    event["time"] = time;
    EXPECT_EQ(ErrorOf(event), "time: not an RFC 3339 date-time: '" + std::string(time) + "'");
  }
  event["time"] = 1772442000;
  EXPECT_EQ(ErrorOf(event), "time: expected string, got number");
  event["time"] = "2026-03-02T10:00:00.123+01:00";
  EXPECT_EQ(ErrorOf(event), "OK");
}

TEST_F(SchemaRegistryTest, EngineManagedFieldInCreated) {
  for (const char* field : {"id", "kind", "workspace", "version", "created", "updated", "archived", "partial"}) {
    json event = ExampleOfType("initiative.created");
    event["data"][field] = "x";
    EXPECT_EQ(ErrorOf(event), "data." + std::string(field) + ": '" + field +
                                  "' is managed by the engine and cannot be set");
  }
}

TEST_F(SchemaRegistryTest, EngineManagedFieldInUpdated) {
  json event = ExampleOfType("task.updated");
  event["data"]["changes"]["id"] = {{"to", "T-2"}};
  EXPECT_EQ(ErrorOf(event), "data.changes.id: 'id' is managed by the engine and cannot be set");
}

TEST_F(SchemaRegistryTest, CustomFieldNames) {
  json event = ExampleOfType("task.created");
  event["data"]["_budget2"] = {{"amount", 5}};
  EXPECT_EQ(ErrorOf(event), "OK");
  event["data"]["2fast"] = 1;
  EXPECT_EQ(ErrorOf(event), "data.2fast: '2fast' does not match '^[A-Za-z_][A-Za-z0-9_]{0,63}$'");
  event["data"].erase("2fast");
  event["data"][std::string(65, 'a')] = 1;
  EXPECT_NE(ErrorOf(event).find("does not match '^[A-Za-z_][A-Za-z0-9_]{0,63}$'"), std::string::npos);
}

TEST_F(SchemaRegistryTest, BuiltInFieldsKeepTheirTypeInCreated) {
  json event = ExampleOfType("task.created");
  event["data"]["title"] = "";
  EXPECT_EQ(ErrorOf(event), "data.title: must not be empty");
  event = ExampleOfType("task.created");
  event["data"]["target"] = "100";
  EXPECT_EQ(ErrorOf(event), "data.target: expected number, got string");
  event = ExampleOfType("task.created");
  event["data"]["labels"] = {"a", "a"};
  EXPECT_EQ(ErrorOf(event), "data.labels: items must be unique, but [0] and [1] are equal");
  event["data"]["labels"] = {"a", ""};
  EXPECT_EQ(ErrorOf(event), "data.labels[1]: must not be empty");
  event = ExampleOfType("task.created");
  event["data"]["links"] = {{{"relation", "blocks"}, {"target", "task/T-1"}, {"note", "x"}}};
  EXPECT_EQ(ErrorOf(event), "data.links[0]: unknown property 'note'");
  event = ExampleOfType("task.created");
  event["data"]["parent"] = "T-1";
  EXPECT_EQ(ErrorOf(event), "data.parent: 'T-1' does not match '^[a-z][a-z_]*/[^\\x00-\\x1F\\x7F]{1,256}$'");
}

TEST_F(SchemaRegistryTest, DueIsADateTimeADateOrNull) {
  json event = ExampleOfType("task.created");
  for (json due : {json("2026-04-01"), json("2026-04-01T17:00:00Z"), json(nullptr)}) {
    event["data"]["due"] = due;
    EXPECT_EQ(ErrorOf(event), "OK") << due;
  }
  event["data"]["due"] = 5;
  EXPECT_EQ(ErrorOf(event), "data.due: expected string or null, got number");
  event["data"]["due"] = "2026-02-30";
  EXPECT_EQ(ErrorOf(event), "data.due: '2026-02-30' is none of: null; RFC 3339 date-time; full date");
}

TEST_F(SchemaRegistryTest, UpdatedChanges) {
  json event = ExampleOfType("task.updated");
  event["data"]["changes"] = json::object();
  EXPECT_EQ(ErrorOf(event), "data.changes: must have at least 1 member");
  event = ExampleOfType("task.updated");
  event["data"]["changes"]["title"] = {{"from", "a"}, {"to", 5}};
  EXPECT_EQ(ErrorOf(event), "data.changes.title.to: expected string, got number");
  event["data"]["changes"]["title"] = {{"from", "a"}};
  EXPECT_EQ(ErrorOf(event), "data.changes.title: missing required property 'to'");
  event["data"]["changes"]["title"] = {{"to", "b"}, {"was", "a"}};
  EXPECT_EQ(ErrorOf(event), "data.changes.title: unknown property 'was'");
  event["data"]["changes"]["title"] = {{"to", "b"}};
  event["data"]["changes"]["assignee"] = {{"to", nullptr}};
  event["data"]["changes"]["custom_any"] = {{"from", 1}, {"to", {1, "x", nullptr}}};
  EXPECT_EQ(ErrorOf(event), "OK");
  event["data"]["changes"]["custom_any"] = "x";
  EXPECT_EQ(ErrorOf(event), "data.changes.custom_any: expected object, got string");
  event = ExampleOfType("task.updated");
  event["data"]["note"] = "x";
  EXPECT_EQ(ErrorOf(event), "data: unknown property 'note'");
}

TEST_F(SchemaRegistryTest, UnknownDataKey) {
  for (const char* type : {"task.status_changed", "goal.assigned", "kpi.linked", "task.archived", "kpi.measured",
                           "approval.requested", "timer.fired", "rule.failed", "notification.requested"}) {
    json event = ExampleOfType(type);
    event["data"]["surprise"] = 1;
    EXPECT_EQ(ErrorOf(event), "data: unknown property 'surprise'") << type;
  }
}

TEST_F(SchemaRegistryTest, BadWorkspace) {
  json event = ExampleOfType("task.status_changed");
  for (const std::string& workspace : std::vector<std::string>{"acme.eu_1-b", "A", std::string(64, 'w')}) {
    event["workspace"] = workspace;
    EXPECT_EQ(ErrorOf(event), "OK") << workspace;
  }
  for (const std::string& workspace : std::vector<std::string>{"", "-acme", "acme corp", "acme/eu", std::string(65, 'w')}) {
    event["workspace"] = workspace;
    EXPECT_NE(ErrorOf(event).find("workspace: '"), std::string::npos) << workspace;
  }
  event["workspace"] = "acme/eu";
  EXPECT_EQ(ErrorOf(event), "workspace: 'acme/eu' does not match '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'");
}

TEST_F(SchemaRegistryTest, ControlCharacterInId) {
  json event = ExampleOfType("task.status_changed");
  event["id"] = "evt\x01" "1";
  EXPECT_EQ(ErrorOf(event), "id: 'evt\\u00011' contains a control character (U+0000-U+001F or U+007F)");
  event["id"] = std::string("evt\0" "1", 5);
  EXPECT_EQ(ErrorOf(event), "id: 'evt\\u00001' contains a control character (U+0000-U+001F or U+007F)");
  event["id"] = "evt\x7f";
  EXPECT_NE(ErrorOf(event).find("contains a control character"), std::string::npos);
}

TEST_F(SchemaRegistryTest, IdLengthCountsCharacters) {
  json event = ExampleOfType("task.status_changed");
  event["id"] = "";
  EXPECT_EQ(ErrorOf(event), "id: must not be empty");
  event["id"] = std::string(256, 'x');
  EXPECT_EQ(ErrorOf(event), "OK");
  std::string euros;
  for (int i = 0; i < 256; ++i) euros += "\xe2\x82\xac";  // 768 bytes, 256 characters
  event["id"] = euros;
  EXPECT_EQ(ErrorOf(event), "OK");
  event["id"] = std::string(257, 'x');
  EXPECT_EQ(ErrorOf(event), "id: must be at most 256 characters long, got 257");
}

TEST_F(SchemaRegistryTest, ExtensionAttributes) {
  json event = ExampleOfType("task.status_changed");
  event["traceparent"] = "00-abc";
  event["retries"] = 2;
  event["urgent"] = false;
  EXPECT_EQ(ErrorOf(event), "OK");
  event["extra"] = json::object();
  EXPECT_EQ(ErrorOf(event), "extra: expected string, number or boolean, got object");
  event.erase("extra");
  event["nothing"] = nullptr;
  EXPECT_EQ(ErrorOf(event), "nothing: expected string, number or boolean, got null");
  event.erase("nothing");
  event["Trace"] = "x";
  EXPECT_EQ(ErrorOf(event), "Trace: 'Trace' does not match '^[a-z0-9]{1,20}$'");
  event.erase("Trace");
  event["averyveryverylongname1"] = "x";
  EXPECT_NE(ErrorOf(event).find("does not match '^[a-z0-9]{1,20}$'"), std::string::npos);
}

TEST_F(SchemaRegistryTest, OptionalEnvelopeAttributes) {
  json event = ExampleOfType("task.status_changed");
  event["datacontenttype"] = "application/json";
  event["dataschema"] = "https://keel.example/schemas/task.status_changed";
  EXPECT_EQ(ErrorOf(event), "OK");
  event["datacontenttype"] = "text/plain";
  EXPECT_EQ(ErrorOf(event), "datacontenttype: must be \"application/json\"");
  event = ExampleOfType("task.status_changed");
  event["specversion"] = "0.3";
  EXPECT_EQ(ErrorOf(event), "specversion: must be \"1.0\"");
}

TEST_F(SchemaRegistryTest, EngineAttributesValidateOnStoredEvents) {
  json event = ExampleOfType("task.status_changed");
  event["seq"] = 1;
  event["hash"] = std::string(64, 'f');
  event["causationid"] = "evt-1";
  event["correlationid"] = "evt-0";
  event["ruleid"] = "kickoff";
  event["rulesethash"] = std::string(64, '0');
  EXPECT_EQ(ErrorOf(event), "OK");
  event["seq"] = 0;
  EXPECT_EQ(ErrorOf(event), "seq: must be >= 1");
  event["seq"] = 2.5;
  EXPECT_EQ(ErrorOf(event), "seq: expected integer, got number");
  event["seq"] = 7;
  event["hash"] = std::string(64, 'F');
  EXPECT_EQ(ErrorOf(event), "hash: '" + std::string(60, 'F') + "...' does not match '^[0-9a-f]{64}$'");
}

TEST_F(SchemaRegistryTest, IntegersMayBeWrittenWithAFraction) {
  json event = ExampleOfType("rule.halted");
  event["data"]["depth"] = 3.0;
  EXPECT_EQ(ErrorOf(event), "OK");
  event["data"]["depth"] = 2.5;
  EXPECT_EQ(ErrorOf(event), "data.depth: expected integer, got number");
  event["data"]["depth"] = -1;
  EXPECT_EQ(ErrorOf(event), "data.depth: must be >= 0");
}

TEST_F(SchemaRegistryTest, ArrayRules) {
  json event = ExampleOfType("notification.requested");
  event["data"]["recipients"] = json::array();
  EXPECT_EQ(ErrorOf(event), "data.recipients: must have at least 1 item");
  event["data"]["recipients"] = {"user:bob", 5};
  EXPECT_EQ(ErrorOf(event), "data.recipients[1]: expected string, got number");
  event = ExampleOfType("approval.requested");
  event["data"]["approvers"] = json::array();
  EXPECT_EQ(ErrorOf(event), "data.approvers: must have at least 1 item");
}

TEST_F(SchemaRegistryTest, PathsQuoteUnusualKeys) {
  json event = ExampleOfType("timer.fired");
  event["data"]["payload"] = {{"a.b", 1}};
  EXPECT_EQ(ErrorOf(event), "OK");
  event = ExampleOfType("task.updated");
  event["data"]["changes"]["a b"] = {{"to", 1}};
  EXPECT_EQ(ErrorOf(event), "data.changes[\"a b\"]: 'a b' does not match '^[A-Za-z_][A-Za-z0-9_]{0,63}$'");
}

TEST_F(SchemaRegistryTest, ValidateIsSafeFromSeveralThreads) {
  std::vector<json> events = ValidExampleEvents();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        for (const json& event : events) {
          if (!ValidateJson(*registry_, event).ok()) ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(SchemaRegistryTest, EntityState) {
  simdjson::dom::parser parser;
  std::string state = R"({"id":"T-42","kind":"task","workspace":"acme","version":3,
      "created":"2026-03-02T09:00:00Z","updated":"2026-03-03T09:00:00Z","archived":false,"partial":false,
      "title":"Brief","status":"todo","labels":["a"],"team":"marketing"})";
  EXPECT_TRUE(registry_->ValidateEntityState(parser.parse(state).value()).ok());
  std::string bad = R"({"id":"T-42","kind":"tasks","workspace":"acme","version":3,
      "created":"2026-03-02T09:00:00Z","updated":"2026-03-03T09:00:00Z","archived":false,"partial":false})";
  Status status = registry_->ValidateEntityState(parser.parse(bad).value());
  EXPECT_EQ(status.message(),
            "kind: must be one of \"goal\", \"key_result\", \"kpi\", \"initiative\", \"task\", \"approval\", got 'tasks'");
}

TEST_F(SchemaRegistryTest, AddTypeRegistersACustomEvent) {
  auto loaded = SchemaRegistry::LoadEmbedded();
  ASSERT_TRUE(loaded.ok());
  SchemaRegistry& registry = **loaded;
  json schema = json::parse(R"({
    "allOf": [{"$ref": "../cloudevent.schema.json"},
              {"properties": {"data": {"type": "object", "required": ["score"],
                                       "properties": {"score": {"type": "integer", "maximum": 10}},
                                       "additionalProperties": false}}}]})");
  ASSERT_TRUE(registry.AddType("survey.answered", schema).ok());
  EXPECT_TRUE(registry.HasType("survey.answered"));
  json event = ExampleOfType("task.archived");
  event["type"] = "survey.answered";
  event["data"] = {{"score", 7}};
  EXPECT_TRUE(ValidateJson(registry, event).ok());
  event["data"] = {{"score", 11}};
  EXPECT_EQ(ValidateJson(registry, event).message(), "data.score: must be <= 10");
  EXPECT_FALSE(registry.AddType("survey.answered", schema).ok());
  EXPECT_FALSE(registry.AddType("Bad Name", schema).ok());
  EXPECT_FALSE(registry.AddType("nested/type.x", schema).ok());
  Status refused = registry.AddType("survey.skipped", json::parse(R"({"if": {"type": "object"}})"));
  EXPECT_EQ(refused.message(), "events/survey.skipped.schema.json: unsupported keyword 'if'");
  EXPECT_FALSE(registry.HasType("survey.skipped"));
}

TEST_F(SchemaRegistryTest, UnsupportedKeywordIsRefusedAtLoad) {
  std::map<std::string, std::string> files = EmbeddedFiles();
  json schema = json::parse(files["events/task.archived.schema.json"]);
  schema["allOf"][1]["properties"]["data"]["properties"]["reason"]["contentMediaType"] = "text/plain";
  files["events/task.archived.schema.json"] = schema.dump();
  EXPECT_EQ(ErrorOfLoading(files),
            "events/task.archived.schema.json#/allOf/1/properties/data/properties/reason: "
            "unsupported keyword 'contentMediaType'");
}

TEST_F(SchemaRegistryTest, SchemaMistakesAreRefusedAtLoad) {
  struct Case {
    const char* schema;
    const char* error;
  };
  const Case cases[] = {
      {R"({"format": "email"})", "unsupported format \"email\" (date-time and date are)"},
      {R"({"items": [{"type": "string"}]})", "'items' as an array (tuple validation) is not supported"},
      {R"({"$ref": "#/definitions/x", "type": "string", "definitions": {"x": {}}})",
       "'type' beside $ref would be ignored (draft-07); put both under allOf"},
      {R"({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}})",
       "circular $ref"},
      {R"({"$ref": "#/definitions/missing"})", "no such place in the schema"},
      {R"({"$ref": "http://example.com/x.json"})", "only relative references are supported"},
      {R"({"$ref": "../../outside.json"})", "it leaves the schema folder"},
      {R"({"pattern": "(unclosed"})", "bad pattern '(unclosed'"},
      {R"({"type": "strin"})", "unknown type \"strin\""},
      {R"({"minLength": -1})", "'minLength' must be a non-negative integer"},
      {R"({"$schema": "http://json-schema.org/draft-04/schema#"})", "only draft-07 schemas are supported"},
      {R"({"properties": {"a": {"$id": "x"}}})", "$id is supported only at the root of a file"},
      {R"({"definitions": {"unused": {"dependencies": {}}}})", "unsupported keyword 'dependencies'"},
  };
  for (const Case& c : cases) {
    std::map<std::string, std::string> files = EmbeddedFiles();
    files["events/custom.thing.schema.json"] = c.schema;
    std::string error = ErrorOfLoading(files);
    EXPECT_NE(error.find("events/custom.thing.schema.json"), std::string::npos) << c.schema << " -> " << error;
    EXPECT_NE(error.find(c.error), std::string::npos) << c.schema << " -> " << error;
  }
  std::map<std::string, std::string> files = EmbeddedFiles();
  files["events/Bad.Type.schema.json"] = "{}";
  EXPECT_EQ(ErrorOfLoading(files), "events/Bad.Type.schema.json: 'Bad.Type' is not a valid event type name");
  files = EmbeddedFiles();
  files["events/custom.thing.schema.json"] = "{";
  EXPECT_NE(ErrorOfLoading(files).find("events/custom.thing.schema.json: not valid JSON"), std::string::npos);
  files = EmbeddedFiles();
  files.erase("cloudevent.schema.json");
  EXPECT_EQ(ErrorOfLoading(files), "schemas: missing cloudevent.schema.json");
}

TEST_F(SchemaRegistryTest, LoadFromMissingDirectoryFails) {
  auto loaded = SchemaRegistry::LoadFromDirectory("/nonexistent/keel/schemas");
  EXPECT_FALSE(loaded.ok());
}

}  // namespace
}  // namespace keel
