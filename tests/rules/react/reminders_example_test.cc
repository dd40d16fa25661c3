// examples/reminders: the pack checks cleanly, its rule tests pass, and its
// events, run on the event clock, fire the reminders, the overdue comment and
// the Monday digests, and replay identically.
#include <fstream>

#include <gtest/gtest.h>

#include "engine/schema/event_decoder.h"
#include "engine/log/event_log.h"
#include "engine/schema/schema_registry.h"
#include "rules/audit/replay.h"
#include "rules/react/attach_rule_set.h"
#include "rules/audit/rule_tests.h"
#include "rules/react/ruleset_store.h"
#include "tests/support/temp_dir.h"

namespace keel::rules {
namespace {

using Strings = std::vector<std::string>;

const std::string kPack = std::string(KEEL_SOURCE_DIR) + "/examples/reminders";

TEST(RemindersExampleTest, PackLoadsWithNoErrorsAndNoWarnings) {
  std::vector<Diagnostic> diagnostics;
  Result<RuleSet> set = RuleSet::Load(kPack + "/rules", "", {}, &diagnostics);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  for (const Diagnostic& d : diagnostics) ADD_FAILURE() << FormatDiagnostic(d);
  EXPECT_EQ(set->time_rules().size(), 3u);
  EXPECT_NE(set->CalendarFor("acme"), nullptr);
}

TEST(RemindersExampleTest, RuleTestsPass) {
  auto results = RunRuleTestFile(kPack + "/tests/reminders.yaml");
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_EQ(results->size(), 5u);
  for (const RuleTestResult& r : *results) {
    EXPECT_TRUE(r.passed) << r.name << ":\n" << (r.failures.empty() ? "" : r.failures[0]);
  }
}

TEST(RemindersExampleTest, EventsOnTheEventClockFireWhereTheirTimesFallAndReplayIdentically) {
  Result<RuleSet> set = RuleSet::Load(kPack + "/rules", "");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  auto schemas = std::move(SchemaRegistry::LoadEmbedded()).value();
  keel::testing::TempDir dir;
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  options.fire_timers_at_event_time = true;
  auto log = std::move(EventLog::Open(dir / "db", options)).value();
  AttachRuleSet(*log, *set, schemas.get());
  EventDecoder decoder(schemas.get());
  std::ifstream in(kPack + "/events.ndjson");
  std::string line;
  bool activated = false;
  while (std::getline(in, line)) {
    auto event = decoder.DecodeInput(line);
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    if (!activated) {
      ASSERT_TRUE(ActivateRuleSet(*log, *set, event->time).ok());
      activated = true;
    }
    auto appended = log->Append({{*std::move(event), std::nullopt}});
    ASSERT_TRUE(appended.ok() && (*appended)[0].outcome == AppendOutcome::kAppended);
  }
  Strings what;
  ASSERT_TRUE(log->Scan(1, UINT64_MAX, [&](const StoredEvent& e) {
    if (e.event.type == "notification.requested" || e.event.type == "comment.added") {
      what.push_back(e.event.time + " " + e.event.rule_id + " " + e.event.subject);
    }
    return true;
  }).ok());
  EXPECT_EQ(what, (Strings{"2026-04-06T07:00:00Z weekly-digest rule/weekly-digest",
                           "2026-04-07T22:00:00Z due-reminder task/T-2",
                           "2026-04-13T07:00:00Z weekly-digest rule/weekly-digest",
                           "2026-04-13T15:00:00Z due-reminder task/T-1",
                           "2026-04-16T15:00:00Z overdue-task task/T-1",
                           "2026-04-20T07:00:00Z weekly-digest rule/weekly-digest"}));

  keel::testing::TempDir fresh;
  LogOptions plain;
  plain.create_if_missing = true;
  auto target = std::move(EventLog::Open(fresh / "db", plain)).value();
  auto replayed = Replay(*log, *target, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical);
}

}  // namespace
}  // namespace keel::rules
