// A log of an example pack for the API's query tests: the pack's rules
// attached and activated, its events appended on the event clock (timers fire
// where they fall), then the clock run to `until`, as `keel run --clock=events
// --until` does.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "engine/json_time.h"
#include "engine/log/event_log.h"
#include "engine/schema/event_decoder.h"
#include "engine/schema/schema_registry.h"
#include "rules/react/attach_rule_set.h"
#include "rules/react/ruleset_store.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {

class InProcessPackLog {
 public:
  // `pack` names a folder of examples/; `until`: RFC 3339, or "" for none.
  // A pack without rules/ (quickstart) is only ingested.
  InProcessPackLog(const std::string& pack, const std::string& until) {
    const std::filesystem::path dir = std::filesystem::path(KEEL_SOURCE_DIR) / "examples" / pack;
    schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value();
    LogOptions options;
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    options.fire_timers_at_event_time = true;
    log_ = std::move(EventLog::Open(dir_.path() / "db", options)).value();
    std::optional<rules::RuleSet> rules;
    if (std::filesystem::exists(dir / "rules")) {
      const std::filesystem::path templates = dir / "templates";
      auto loaded = rules::RuleSet::Load(dir / "rules", std::filesystem::exists(templates) ? templates : "");
      EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
      if (loaded.ok()) {
        rules = std::move(loaded).value();
        rules::AttachRuleSet(*log_, *rules, schemas_.get());
      }
    }
    EventDecoder decoder(schemas_.get());
    std::ifstream in(dir / "events.ndjson");
    std::string line;
    bool activated = false;
    while (std::getline(in, line)) {
      auto event = decoder.DecodeInput(line);
      EXPECT_TRUE(event.ok()) << event.status().ToString();
      if (!event.ok()) continue;
      if (rules && !activated) {
        EXPECT_TRUE(rules::ActivateRuleSet(*log_, *rules, event->time).ok());
        activated = true;
      }
      auto appended = log_->Append({{*std::move(event), std::nullopt}});
      EXPECT_TRUE(appended.ok()) << appended.status().ToString();
    }
    if (!until.empty()) {
      auto fired = log_->FireDueTimers(*TryParseRfc3339Micros(until), 100000);
      EXPECT_TRUE(fired.ok()) << fired.status().ToString();
    }
  }

  const EventLog& log() const { return *log_; }
  EventLog& mutable_log() { return *log_; }

 private:
  TempDir dir_;
  std::unique_ptr<SchemaRegistry> schemas_;
  std::unique_ptr<EventLog> log_;
};

}  // namespace keel::testing
