// The tools' webhooks that carry no keel marker (ClickUp's task_id and
// history items, Jira's comment_created, Linear's Comment, GitHub's
// projects_v2_item) land on the keel entity once a sink's answer linked it
// to the tool's item (`task.linked`, relation external: engine/log/aliases.h).
// The payloads are the shared fixtures, mapped by the built-in mappings and
// appended to a log after the link; the expected subjects are written by hand.
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/webhooks/builtin_mappings.h"
#include "connectors/webhooks/map_delivery.h"
#include "connectors/webhooks/mapping.h"
#include "engine/log/aliases.h"
#include "engine/log/event_log.h"
#include "engine/log/event_record.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"
#include "tests/support/file_text.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

namespace fs = std::filesystem;

const SchemaRegistry& Schemas() {
  static const SchemaRegistry* schemas = SchemaRegistry::LoadEmbedded().value().release();
  return *schemas;
}

// The shared fixtures: ../shared from the main checkout, ../../shared from a
// worktree under wt/; KEEL_WEBHOOK_FIXTURES names them elsewhere.
std::optional<fs::path> FixturesDir() {
  if (const char* dir = std::getenv("KEEL_WEBHOOK_FIXTURES"); dir != nullptr && *dir != '\0') return fs::path(dir);
  for (const fs::path candidate : {"../shared/fixtures/webhooks", "../../shared/fixtures/webhooks"}) {
    if (fs::is_directory(candidate / "github")) return candidate;
  }
  return std::nullopt;
}

Event Stored(const nlohmann::json& event) {
  Result<Event> decoded = EventFromCanonical(nlohmann::json(event).dump());
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  return decoded.ok() ? *decoded : Event();
}

Event Json(const std::string& text) { return Stored(nlohmann::json::parse(text)); }

class AliasFixtures : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<fs::path> dir = FixturesDir();
    ASSERT_TRUE(dir.has_value()) << "the webhook fixtures are not at ../shared/fixtures/webhooks or "
                                    "../../shared/fixtures/webhooks; set KEEL_WEBHOOK_FIXTURES to their folder";
    fixtures_ = *dir;
    LogOptions options;
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    log_ = std::move(EventLog::Open(dir_.path() / "db", options)).value();
    // keel's task T-7, linked by a sink's answer to the tool's item.
    Append(Json(R"({"specversion":"1.0","id":"c7","source":"keel/rules","type":"task.created","subject":"task/T-7",
                    "time":"2022-01-01T00:00:00Z","workspace":"acme","actor":"rule:kickoff","data":{"title":"Launch plan"}})"));
  }

  void Link(const std::string& target, const std::string& remote_id) {
    nlohmann::json data = {{"relation", "external"}, {"target", target}};
    if (!remote_id.empty()) data["remote_id"] = remote_id;
    nlohmann::json linked = {{"specversion", "1.0"}, {"id", "answer-" + target}, {"source", "keel/sinks/tool"},
                             {"type", "task.linked"}, {"subject", "task/T-7"}, {"time", "2022-01-01T00:00:01Z"},
                             {"workspace", "acme"}, {"actor", "system:keel"}, {"data", data}};
    Append(Stored(linked));
  }

  // Maps FOLDER/NAME.json with its mapping and the headers of its
  // hand-written expected file, appends what it maps to, and returns the
  // stored events' "type subject" lines.
  std::vector<std::string> Deliver(const std::string& folder, const std::string& mapping_name, const std::string& name) {
    Result<webhooks::Mapping> mapping = webhooks::LoadBuiltinMapping(mapping_name, rules::CelExpressions(), &Schemas());
    EXPECT_TRUE(mapping.ok()) << mapping.status().message();
    if (!mapping.ok()) return {};
    nlohmann::json expected = nlohmann::json::parse(
        testing::ReadFileText(fs::path("tests/connectors/webhooks/builtin") / folder / (name + ".expected.json")));
    webhooks::Delivery delivery;
    delivery.endpoint = mapping->name;
    for (const auto& [header, value] : expected.at("headers").items()) {
      std::string lower = header;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      delivery.headers.emplace_back(lower, value.get<std::string>());
    }
    const std::string body = testing::ReadFileText(fixtures_ / folder / (name + ".json"));
    delivery.body = body;  // a view: the text must outlive the mapping
    webhooks::MapOptions options;
    options.workspace = "acme";
    options.schemas = &Schemas();
    std::unique_ptr<ExpressionScope> scope = rules::CelExpressions().NewScope();
    webhooks::MappingOutcome outcome = webhooks::MapDelivery(*mapping, delivery, options, *scope);
    EXPECT_EQ(outcome.kind, webhooks::MappingOutcome::Kind::kEvents) << outcome.reason;
    uint64_t first = log_->Head().seq + 1;
    for (const nlohmann::ordered_json& event : outcome.events) Append(Stored(nlohmann::json::parse(event.dump())));
    std::vector<std::string> lines;
    for (uint64_t seq = first; seq <= log_->Head().seq; ++seq) {
      const Event stored = log_->Read(seq)->event;
      std::string from = ResolvedFrom(stored);
      lines.push_back(stored.type + " " + stored.subject + (from.empty() ? "" : " from " + from));
    }
    return lines;
  }

  void Append(Event event) {
    std::vector<AppendRequest> group;
    group.push_back({std::move(event), std::nullopt});
    auto results = log_->Append(std::move(group));
    ASSERT_TRUE(results.ok()) << results.status().ToString();
    ASSERT_EQ((*results)[0].outcome, AppendOutcome::kAppended) << (*results)[0].error.ToString();
  }

  fs::path fixtures_;
  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(AliasFixtures, AClickUpStatusChangeLandsOnTheLinkedTask) {
  Link("clickup:86cvyxabb", "");
  EXPECT_EQ(Deliver("clickup", "clickup", "task_updated_status"),
            (std::vector<std::string>{"task.status_changed task/T-7 from task/clickup:86cvyxabb"}));
}

TEST_F(AliasFixtures, AJiraCommentLandsOnTheLinkedTask) {
  // Jira's answer names the issue by its key; its webhooks by its id (remote_id).
  Link("jira:ZUL-1", "10000");
  EXPECT_EQ(Deliver("jira-cloud", "jira", "comment_created"),
            (std::vector<std::string>{"comment.added task/T-7 from task/jira:10000"}));
}

TEST_F(AliasFixtures, ALinearCommentLandsOnTheLinkedTask) {
  Link("linear:f9a37fcf-eb52-44be-a52c-0477f70e9952", "ENG-7");
  EXPECT_EQ(Deliver("linear", "linear", "comment_create"),
            (std::vector<std::string>{"comment.added task/T-7 from task/linear:f9a37fcf-eb52-44be-a52c-0477f70e9952"}));
}

TEST_F(AliasFixtures, AGitHubProjectItemLandsOnTheLinkedTask) {
  // GitHub's answer: owner/repo#number as target, the issue's node id as remote_id.
  Link("github:octo-org/web#42", "DI_lADOAWcTxs07G84AIjOy");
  EXPECT_EQ(Deliver("github", "github", "projects_v2_item.created"),
            (std::vector<std::string>{"task.linked task/T-7 from task/github:DI_lADOAWcTxs07G84AIjOy"}));
}

TEST_F(AliasFixtures, WithoutALinkTheyKeepTheToolsEntity) {
  EXPECT_EQ(Deliver("clickup", "clickup", "task_updated_status"),
            (std::vector<std::string>{"task.status_changed task/clickup:86cvyxabb"}));
  EXPECT_EQ(Deliver("jira-cloud", "jira", "comment_created"), (std::vector<std::string>{"comment.added task/jira:10000"}));
}

}  // namespace
}  // namespace keel
