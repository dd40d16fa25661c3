// The built-in mappings against real payloads: every fixture of the issue's
// shared folder (../shared/fixtures/webhooks/TOOL/*.json) maps, through its
// tool's built-in mapping, to exactly the events (or the ignore reason)
// written by hand in tests/connectors/webhooks/builtin/TOOL/FIXTURE.expected.json
// (that folder's README.md says how they were written). A fixture without an
// expected file, or an expected file without a fixture, fails.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/webhooks/builtin_mappings.h"
#include "connectors/webhooks/map_delivery.h"
#include "connectors/webhooks/mapping.h"
#include "connectors/webhooks/people.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"
#include "tests/support/file_text.h"

namespace keel::webhooks {
namespace {

namespace fs = std::filesystem;

const fs::path kExpectedDir = "tests/connectors/webhooks/builtin";

// The fixture folders and the built-in mapping each is read with.
const std::map<std::string, std::string> kMappingOfFolder = {
    {"clickup", "clickup"}, {"github", "github"}, {"gitlab", "gitlab"}, {"jira-cloud", "jira"}, {"linear", "linear"},
};

// The shared fixtures sit next to the repository (../shared from the main
// checkout, ../../shared from a worktree under wt/); KEEL_WEBHOOK_FIXTURES
// names them elsewhere.
std::optional<fs::path> FixturesDir() {
  if (const char* dir = std::getenv("KEEL_WEBHOOK_FIXTURES"); dir != nullptr && *dir != '\0') return fs::path(dir);
  for (const fs::path candidate : {"../shared/fixtures/webhooks", "../../shared/fixtures/webhooks"}) {
    if (fs::is_directory(candidate / "github")) return candidate;
  }
  return std::nullopt;
}

const SchemaRegistry& Schemas() {
  static const SchemaRegistry* schemas = SchemaRegistry::LoadEmbedded().value().release();
  return *schemas;
}

std::vector<fs::path> JsonFilesIn(const fs::path& dir, std::string_view suffix) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > suffix.size() && name.ends_with(suffix)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// What the mapping made of a delivery, in the expected files' shape.
nlohmann::json OutcomeJson(const MappingOutcome& outcome) {
  switch (outcome.kind) {
    case MappingOutcome::Kind::kEvents: {
      nlohmann::json events = nlohmann::json::array();
      for (const nlohmann::ordered_json& event : outcome.events) events.push_back(nlohmann::json::parse(event.dump()));
      return {{"events", events}};
    }
    case MappingOutcome::Kind::kIgnored: return {{"ignored", outcome.reason}};
    case MappingOutcome::Kind::kRefused: return {{"refused", outcome.reason}};
  }
  return nullptr;
}

class BuiltinMappingFixtures : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<fs::path> dir = FixturesDir();
    ASSERT_TRUE(dir.has_value()) << "the webhook fixtures are not at ../shared/fixtures/webhooks or "
                                    "../../shared/fixtures/webhooks; set KEEL_WEBHOOK_FIXTURES to their folder";
    fixtures_ = *dir;
    Result<PeopleFile> people = PeopleFile::LoadFile((kExpectedDir / "people.yaml").string());
    ASSERT_TRUE(people.ok()) << people.status().message();
    people_ = std::make_shared<PeopleFile>(std::move(*people));
  }

 public:
  // Maps one fixture with the headers and workspace of its expected file.
  nlohmann::json Map(const Mapping& mapping, const fs::path& fixture, const nlohmann::json& expected) {
    std::string body = testing::ReadFileText(fixture);
    Delivery delivery;
    delivery.endpoint = mapping.name;  // keel map's default: the mapping's name
    for (const auto& [name, value] : expected.at("headers").items()) {
      delivery.headers.emplace_back(name, value.get<std::string>());
    }
    LowerCaseHeaders(&delivery.headers);
    delivery.body = body;
    MapOptions options;
    options.workspace = expected.at("workspace").get<std::string>();
    options.people = [this](std::string_view) -> const PeopleDirectory* { return people_.get(); };
    options.schemas = &Schemas();
    std::unique_ptr<ExpressionScope> scope = rules::CelExpressions().NewScope();
    return OutcomeJson(MapDelivery(mapping, delivery, options, *scope));
  }

  fs::path fixtures_;
  std::shared_ptr<PeopleFile> people_;
};

// Maps every FOLDER/MAPPING/NAME.json with its mapping and compares the
// outcome with the hand-written NAME.expected.json beside it; returns how many.
size_t CheckPayloadsUnder(const fs::path& folder, BuiltinMappingFixtures& fixtures);

TEST_F(BuiltinMappingFixtures, EveryFixtureMapsToItsHandWrittenEvents) {
  size_t checked = 0;
  for (const auto& [folder, mapping_name] : kMappingOfFolder) {
    SCOPED_TRACE("mapping " + mapping_name);
    Result<Mapping> mapping = LoadBuiltinMapping(mapping_name, rules::CelExpressions(), &Schemas());
    ASSERT_TRUE(mapping.ok()) << mapping.status().message();
    std::vector<fs::path> fixtures = JsonFilesIn(fixtures_ / folder, ".json");
    EXPECT_FALSE(fixtures.empty()) << "no fixtures in " << (fixtures_ / folder);
    for (const fs::path& fixture : fixtures) {
      SCOPED_TRACE(fixture.string());
      fs::path expected_file = kExpectedDir / folder / (fixture.stem().string() + ".expected.json");
      ASSERT_TRUE(fs::exists(expected_file)) << "no expected events for " << fixture << ": write " << expected_file;
      nlohmann::json expected = nlohmann::json::parse(testing::ReadFileText(expected_file));
      nlohmann::json want = expected;
      want.erase("headers");
      want.erase("workspace");
      nlohmann::json got = Map(*mapping, fixture, expected);
      EXPECT_EQ(got, want) << "got:\n" << got.dump(2) << "\nwant:\n" << want.dump(2);
      ++checked;
    }
  }
  EXPECT_GE(checked, 48u);  // the 48 fixtures of the issue
}

// Payloads in the shapes the tools document for what the fixtures do not
// show (a long Jira changelog, a Data Center Epic, GitHub's 2024 Projects
// fields, GitLab's `changes`, several ClickUp history items, a Linear update
// of several fields): documented/MAPPING/NAME.json next to its expected file.
TEST_F(BuiltinMappingFixtures, DocumentedPayloadsMapToTheirHandWrittenEvents) {
  EXPECT_GE(CheckPayloadsUnder(kExpectedDir / "documented", *this), 8u);
}

// One entity across tools: copies of the fixtures as the tool sends them back
// for an item keel's action mapping created, carrying its marker (a Jira label
// keel-task-T-7, "(keel-task-T-7)" at the end of a GitHub body, a GitLab or
// Linear description). Their webhooks land on task/T-7, and the creation
// itself is ignored (keel knows the task already).
TEST_F(BuiltinMappingFixtures, ItemsKeelCreatedLandOnTheirKeelEntity) {
  EXPECT_GE(CheckPayloadsUnder(kExpectedDir / "same_entity", *this), 12u);
}

size_t CheckPayloadsUnder(const fs::path& folder, BuiltinMappingFixtures& fixtures) {
  size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.is_directory()) continue;
    std::string mapping_name = entry.path().filename().string();
    SCOPED_TRACE("mapping " + mapping_name);
    Result<Mapping> mapping = LoadBuiltinMapping(mapping_name, rules::CelExpressions(), &Schemas());
    EXPECT_TRUE(mapping.ok()) << mapping.status().message();
    if (!mapping.ok()) continue;
    for (const fs::path& payload : JsonFilesIn(entry.path(), ".json")) {
      if (payload.filename().string().ends_with(".expected.json")) continue;
      SCOPED_TRACE(payload.string());
      fs::path expected_file = entry.path() / (payload.stem().string() + ".expected.json");
      EXPECT_TRUE(fs::exists(expected_file)) << "no expected events for " << payload;
      if (!fs::exists(expected_file)) continue;
      nlohmann::json expected = nlohmann::json::parse(testing::ReadFileText(expected_file));
      nlohmann::json want = expected;
      want.erase("headers");
      want.erase("workspace");
      nlohmann::json got = fixtures.Map(*mapping, payload, expected);
      EXPECT_EQ(got, want) << "got:\n" << got.dump(2) << "\nwant:\n" << want.dump(2);
      ++checked;
    }
  }
  return checked;
}

TEST_F(BuiltinMappingFixtures, EveryExpectedFileHasItsFixture) {
  for (const auto& [folder, mapping_name] : kMappingOfFolder) {
    for (const fs::path& expected : JsonFilesIn(kExpectedDir / folder, ".expected.json")) {
      std::string stem = expected.filename().string();
      stem.resize(stem.size() - std::string_view(".expected.json").size());
      EXPECT_TRUE(fs::exists(fixtures_ / folder / (stem + ".json"))) << expected << " has no fixture";
    }
  }
}

// A redelivery (the same body and delivery id) maps to the same events, ids
// included, so the log's idempotency appends nothing the second time.
TEST_F(BuiltinMappingFixtures, ARedeliveryMapsToTheSameEvents) {
  Result<Mapping> mapping = LoadBuiltinMapping("clickup", rules::CelExpressions(), &Schemas());
  ASSERT_TRUE(mapping.ok()) << mapping.status().message();
  fs::path fixture = fixtures_ / "clickup" / "task_created.json";
  nlohmann::json expected =
      nlohmann::json::parse(testing::ReadFileText(kExpectedDir / "clickup" / "task_created.expected.json"));
  nlohmann::json first = Map(*mapping, fixture, expected);
  EXPECT_EQ(Map(*mapping, fixture, expected), first);
  ASSERT_TRUE(first.contains("events"));
  EXPECT_EQ(first["events"].size(), 2u);
}

}  // namespace
}  // namespace keel::webhooks
