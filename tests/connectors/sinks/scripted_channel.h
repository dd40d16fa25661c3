// A Channel for the sink tests: it records every message it is asked to
// send and answers as its script says, and a real log in a temporary folder
// to read events from.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/sinks/channel.h"
#include "engine/log/event_log.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel::sinks::testing {

struct SentTry {
  uint64_t seq = 0;
  std::string event_id;
  std::string workspace;
  int try_number = 0;  // 1 for the event's first try
  std::string body;
};

class ScriptedChannel final : public Channel {
 public:
  // What a try answers: the event and which try of it this is (from 1).
  using Script = std::function<TryResult(const StoredEvent& event, int try_number)>;
  using Preparer = std::function<Result<std::optional<OutboundMessage>>(const StoredEvent& event)>;

  explicit ScriptedChannel(Script script = {}) : script_(std::move(script)) {}
  void SetPreparer(Preparer prepare) { prepare_ = std::move(prepare); }

  Result<std::optional<OutboundMessage>> Prepare(const StoredEvent& event) const override {
    if (prepare_) return prepare_(event);
    OutboundMessage message;
    message.http = OutboundHttpRequest{"POST", "http://127.0.0.1:9/hook", {{"Idempotency-Key", event.event.id}},
                                       std::string(event.event.data())};
    return std::optional<OutboundMessage>(std::move(message));
  }

  TryResult Send(const StoredEvent& event, const OutboundMessage& message) const override {
    int try_number = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      try_number = ++tries_[event.seq];
      sent_.push_back({event.seq, event.event.id, event.event.workspace, try_number,
                       message.http ? message.http->body : ""});
    }
    if (script_) return script_(event, try_number);
    return Delivered();
  }

  std::vector<SentTry> sent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }
  int tries(uint64_t seq) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tries_.find(seq);
    return it == tries_.end() ? 0 : it->second;
  }

  static TryResult Delivered() { return {TryOutcome::kDelivered, std::nullopt, "HTTP 200", {}}; }
  static TryResult Retry(std::string detail, std::optional<std::chrono::milliseconds> after = std::nullopt) {
    return {TryOutcome::kRetry, after, std::move(detail), {}};
  }
  static TryResult Permanent(std::string detail) { return {TryOutcome::kPermanent, std::nullopt, std::move(detail), {}}; }

 private:
  Script script_;
  Preparer prepare_;
  mutable std::mutex mu_;
  mutable std::vector<SentTry> sent_;
  mutable std::map<uint64_t, int> tries_;
};

// Polls `condition` until it holds (true) or a generous deadline passes
// (false): the tests wait for threads, they do not time them.
inline bool Eventually(const std::function<bool()>& condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return condition();
}

// A comment on task T-1 of `workspace`: an input event the tests select with
// inputs_too.
inline Event Comment(const std::string& id, const std::string& workspace, const std::string& text = "hello") {
  return keel::testing::MakeEvent(
      {.id = id, .type = "comment.added", .subject = "task/T-1", .workspace = workspace, .data = {{"text", text}}});
}

inline std::unique_ptr<EventLog> OpenLog(const std::filesystem::path& dir) {
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  auto log = EventLog::Open(dir, options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return std::move(log).value();
}

// Appends `events` one batch; returns the seq of each.
inline std::vector<uint64_t> AppendAll(EventLog& log, const std::vector<Event>& events) {
  std::vector<AppendRequest> group;
  for (const Event& event : events) group.push_back({event, std::nullopt});
  auto results = log.Append(std::move(group));
  EXPECT_TRUE(results.ok()) << results.status().ToString();
  std::vector<uint64_t> seqs;
  for (const AppendResult& result : *results) {
    EXPECT_EQ(result.outcome, AppendOutcome::kAppended) << result.error.ToString();
    seqs.push_back(result.seq);
  }
  return seqs;
}

}  // namespace keel::sinks::testing
