// A fresh log with a rule set plugged in, for tests of rule evaluation inside
// ingest: append input events, read back what the rules derived.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
#include "engine/schema/schema_registry.h"
#include "rules/react/attach_rule_set.h"
#include "rules/react/rule_reactor.h"
#include "tests/rules/rule_pack.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel::rules::testing {

using keel::testing::EventSpec;
using keel::testing::MakeEvent;

class ReactorTest : public ::testing::Test {
 protected:
  // Loads `pack` and opens a fresh log at `name` with its rules plugged in.
  void Start(RulePack& pack, LogOptions options = {}, const std::string& name = "db") {
    auto schemas = SchemaRegistry::LoadEmbedded();
    ASSERT_TRUE(schemas.ok()) << schemas.status().ToString();
    schemas_ = std::move(schemas).value();
    RuleSet set = pack.LoadOk();
    for (const auto& [type, schema] : set.custom_event_types()) {
      ASSERT_TRUE(schemas_->AddType(type, RuleSet::CustomEventSchema(type, schema)).ok());
    }
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    log_.reset();
    auto log = EventLog::Open(dir_ / name, options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    reactor_ = AttachRuleSet(*log_, std::move(set), schemas_.get());
  }

  AppendResult Ingest(const EventSpec& spec) {
    std::vector<AppendRequest> group;
    group.push_back({MakeEvent(spec), std::nullopt});
    auto results = log_->Append(std::move(group));
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? results->front() : AppendResult{};
  }

  std::vector<StoredEvent> All() const {
    std::vector<StoredEvent> events;
    EXPECT_TRUE(log_->Scan(1, UINT64_MAX, [&](const StoredEvent& e) {
      events.push_back(e);
      return true;
    }).ok());
    return events;
  }
  // The events rules appended, in log order.
  std::vector<StoredEvent> Derived() const {
    std::vector<StoredEvent> out;
    for (StoredEvent& e : All()) {
      if (e.event.is_derived()) out.push_back(std::move(e));
    }
    return out;
  }
  std::vector<StoredEvent> OfType(const std::string& type) const {
    std::vector<StoredEvent> out;
    for (StoredEvent& e : All()) {
      if (e.event.type == type) out.push_back(std::move(e));
    }
    return out;
  }
  static nlohmann::json Data(const StoredEvent& e) { return nlohmann::json::parse(e.event.data()); }

  // An entity's state, or null.
  nlohmann::json State(const std::string& ref, const std::string& workspace = "acme") const {
    EntityRef entity;
    EXPECT_TRUE(ParseEntityRef(ref, &entity));
    auto state = log_->GetEntity(workspace, entity);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    if (!state.ok() || !state->has_value()) return nullptr;
    return nlohmann::json::parse((*state)->ToCanonical());
  }

  keel::testing::TempDir dir_;
  std::unique_ptr<SchemaRegistry> schemas_;
  std::shared_ptr<RuleReactor> reactor_;
  std::unique_ptr<EventLog> log_;
};

// Events the tests start from.
inline EventSpec InitiativeCreated(const std::string& id = "e-init", const std::string& workspace = "acme") {
  return {.id = id,
          .type = "initiative.created",
          .subject = "initiative/IN-1",
          .workspace = workspace,
          .time = "2026-03-02T08:00:00Z",
          .data = {{"title", "Website relaunch"},
                   {"status", "planned"},
                   {"owner", "user:dana"},
                   {"designer", "user:erin"},
                   {"tech_lead", "user:frank"}}};
}

inline EventSpec InitiativeStarted(const std::string& id = "e-start", const std::string& workspace = "acme") {
  return {.id = id,
          .type = "initiative.status_changed",
          .subject = "initiative/IN-1",
          .workspace = workspace,
          .time = "2026-03-06T09:00:00Z",  // a Friday
          .data = {{"from", "planned"}, {"to", "in_progress"}}};
}

}  // namespace keel::rules::testing
