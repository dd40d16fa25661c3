// The real `keel serve` (embedded mode, no brokers) killed with SIGKILL
// while signed GitHub deliveries arrive (issue 21): several connections send
// `issues opened` deliveries, each with its own X-GitHub-Delivery and issue,
// signed with X-Hub-Signature-256, and retry a delivery (same id, same
// bytes) on a connection error, a timeout or a 5xx, as GitHub's redelivery
// does. The test kills serve at random points of the stream and starts it
// again at once (one restart in three is killed again while it starts); the
// senders carry on. Then serve is stopped with SIGTERM and its log read:
//   - every delivery answered 2xx was answered 200 with its one event, and
//     that event (`github:DELIVERY:0`) is in the log exactly once;
//   - no event id is in the log twice, the seqs are dense from 1, the
//     only other event is the rule set's one activation, and `keel verify`
//     passes;
//   - a delivery whose first try was committed but whose answer the kill
//     lost comes back on its retry as a duplicate (appended 0).
// A delivery that never got a 2xx may or may not be in the log: the kill can
// land after its commit and before its answer. Here every delivery is
// retried until it gets one, so in the end the log holds each exactly once.
//
// KEEL_CRASH_DELIVERIES=N sets the deliveries per sync mode (default: the
// issue's 10,000 with `sync: batch`, about 10 s on 2 cores; 2,000 with
// `sync: always`, whose fsync per group makes 10,000 take about 17 s),
// KEEL_CRASH_CONNECTIONS=N the senders (default 4) and KEEL_CRASH_SEED=N
// the kill points; every failure names all three.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/http/signatures.h"
#include "tests/cli/run_keel_support.h"
#include "tests/crash/signed_delivery_client.h"
#include "tests/support/crash_trials.h"
#include "tests/support/file_text.h"
#include "tests/support/log_contents.h"
#include "tests/support/spawned_process.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr char kSecretEnv[] = "KEEL_CRASH_GITHUB_SECRET";
constexpr char kSecret[] = "crash-test-secret";  // a test value, set in this process's environment only
constexpr int kKills = 6;

// What became of one delivery in the end.
struct Outcome {
  int status = 0;  // the last answer's; 0: none before the test's deadline
  std::string body;
  int tries = 0;
  int unavailable = 0;  // answers 5xx (busy, or the log unavailable) that were retried
};

// A free loopback port (serve binds it again after each kill, with SO_REUSEADDR).
int FreePort() {
  int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(sock, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(sock);
  return ntohs(address.sin_port);
}

std::string DeliveryId(uint64_t index) {
  char id[64];
  std::snprintf(id, sizeof id, "c7a5e000-0000-4000-8000-%012llu", static_cast<unsigned long long>(index));
  return id;
}

class WebhookCrashTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    deliveries_ = NumberFromEnvironment("KEEL_CRASH_DELIVERIES", GetParam() == std::string("batch") ? 10000 : 2000);
    connections_ = static_cast<int>(NumberFromEnvironment("KEEL_CRASH_CONNECTIONS", 4));
    seed_ = CrashSeed(20261221);
    port_ = FreePort();
    ::setenv(kSecretEnv, kSecret, 1);
    fs::create_directories(dir_ / "rules");  // no rules: the log holds the deliveries' events alone
    std::ofstream(dir_ / "serve.yaml") << "data: " << (dir_ / "data").string() << "\n"
                                       << "sync: " << GetParam() << "\n"
                                       << "rules: " << (dir_ / "rules").string() << "\n"
                                       << "http_address: 127.0.0.1\n"
                                       << "http_port: " << port_ << "\n"
                                       << "webhooks:\n"
                                       << "  - source: github\n"
                                       << "    workspace: acme\n"
                                       << "    secret_env: " << kSecretEnv << "\n";
    // GitHub's documented `issues opened` payload; each delivery its own issue.
    template_ = nlohmann::json::parse(
        ReadFileText(fs::path(KEEL_SOURCE_DIR) / "../shared/fixtures/webhooks/github/issues.opened.json"));
  }

  std::string Describe() const {
    std::ostringstream text;
    text << "sync=" << GetParam() << " KEEL_CRASH_DELIVERIES=" << deliveries_
         << " KEEL_CRASH_CONNECTIONS=" << connections_ << " KEEL_CRASH_SEED=" << seed_;
    return text.str();
  }

  std::string Body(uint64_t index) const {
    nlohmann::json body = template_;
    body["issue"]["node_id"] = "I_kwDOcrash" + std::to_string(index);
    body["issue"]["number"] = index + 1;
    body["issue"]["title"] = "Crash test issue " + std::to_string(index + 1);
    body["issue"]["created_at"] = "2026-12-01T10:00:00Z";
    return body.dump();
  }

  std::unique_ptr<SpawnedProcess> StartServe() {
    ++incarnation_;
    return std::make_unique<SpawnedProcess>(
        std::vector<std::string>{KeelPath(), "serve", "--config", (dir_ / "serve.yaml").string()},
        dir_ / ("serve-" + std::to_string(incarnation_) + ".out"),
        dir_ / ("serve-" + std::to_string(incarnation_) + ".err"));
  }
  std::string ServeErr() const {
    return ReadFileText(dir_ / ("serve-" + std::to_string(incarnation_) + ".err"));
  }

  // One sender: takes the next delivery and sends it until it is answered
  // with anything other than a 5xx, or the deadline passes.
  void Send(Clock::time_point deadline) {
    crash::SignedDeliveryClient client(port_, std::chrono::seconds(20));
    for (uint64_t index; (index = next_.fetch_add(1)) < deliveries_;) {
      std::string body = Body(index);
      std::vector<std::pair<std::string, std::string>> headers = {
          {"X-GitHub-Event", "issues"},
          {"X-GitHub-Delivery", DeliveryId(index)},
          {"X-Hub-Signature-256", "sha256=" + http::HmacSha256Hex(kSecret, body)},
          {"User-Agent", "GitHub-Hookshot/crash-test"}};
      Outcome& outcome = outcomes_[index];
      while (!stop_.load() && Clock::now() < deadline) {
        ++outcome.tries;
        crash::PostAnswer answer = client.Post("/hooks/github", headers, body);
        outcome.status = answer.status;
        outcome.body = answer.body;
        if (answer.status != 0 && answer.status < 500) break;
        if (answer.status >= 500) ++outcome.unavailable;
        if (answer.status == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // serve restarting
      }
      if (outcome.status >= 200 && outcome.status < 300) answered_.fetch_add(1);
    }
    finished_.fetch_add(1);
  }

  TempDir dir_;
  uint64_t deliveries_ = 0;
  uint64_t seed_ = 0;
  int connections_ = 4;
  int port_ = 0;
  int incarnation_ = 0;
  nlohmann::json template_;
  std::vector<Outcome> outcomes_;
  std::atomic<uint64_t> next_{0};
  std::atomic<uint64_t> answered_{0};
  std::atomic<int> finished_{0};  // senders that have no delivery left
  std::atomic<bool> stop_{false};  // serve failed: the senders give up
};

TEST_P(WebhookCrashTest, EveryAnsweredDeliveryIsInTheLogOnceAfterKills) {
  outcomes_.resize(deliveries_);
  std::mt19937_64 rng(seed_);
  // Kill points: numbers of answered deliveries, spread over the stream.
  std::vector<uint64_t> kill_at;
  std::uniform_int_distribution<uint64_t> point(deliveries_ / 20, deliveries_ * 19 / 20);
  for (int k = 0; k < kKills; ++k) kill_at.push_back(point(rng));
  std::sort(kill_at.begin(), kill_at.end());

  auto start = Clock::now();
  auto deadline = start + std::chrono::minutes(10);
  std::unique_ptr<SpawnedProcess> serve = StartServe();
  std::vector<std::thread> senders;
  for (int c = 0; c < connections_; ++c) senders.emplace_back([this, deadline] { Send(deadline); });

  size_t kills = 0, early_kills = 0;
  std::string serve_problem;
  while (finished_.load() < connections_) {
    if (std::optional<int> ended = serve->Poll()) {
      serve_problem = "keel serve ended on its own with " + std::to_string(*ended) + ":\n" + ServeErr();
      break;
    }
    if (kills < kill_at.size() && answered_.load() >= kill_at[kills]) {
      // A little later than the count, so the kill lands anywhere in a
      // request's handling rather than just after an answer.
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(rng)));
      if (!serve->Kill()) {
        serve_problem = "keel serve ended before its kill:\n" + ServeErr();
        break;
      }
      ++kills;
      serve = StartServe();
      // One restart in three is killed again while it starts (opening the
      // log, loading the mapping, binding the port) or just after.
      if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 150)(rng)));
        if (!serve->Kill()) {
          serve_problem = "keel serve ended before its kill:\n" + ServeErr();
          break;
        }
        ++early_kills;
        serve = StartServe();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!serve_problem.empty()) stop_.store(true);
  for (std::thread& sender : senders) sender.join();
  ASSERT_EQ(serve_problem, "") << Describe();
  serve->Signal(SIGTERM);
  ASSERT_EQ(serve->Wait(), 0) << Describe() << ": keel serve did not stop cleanly:\n" << ServeErr();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(kills, kill_at.size()) << Describe();

  // What the senders were told.
  uint64_t answered = 0, retried = 0, came_back_as_duplicates = 0, unavailable = 0;
  for (uint64_t index = 0; index < deliveries_; ++index) {
    const Outcome& outcome = outcomes_[index];
    retried += outcome.tries > 1 ? 1 : 0;
    unavailable += outcome.unavailable;
    if (outcome.status < 200 || outcome.status >= 300) continue;
    ++answered;
    ASSERT_EQ(outcome.status, 200) << Describe() << ": delivery " << DeliveryId(index) << ": " << outcome.body;
    nlohmann::json answer = nlohmann::json::parse(outcome.body, nullptr, false);
    ASSERT_TRUE(answer.is_object()) << Describe() << ": " << outcome.body;
    EXPECT_EQ(answer.value("events", -1), 1) << Describe() << ": " << outcome.body;
    EXPECT_EQ(answer.value("appended", -1) + answer.value("duplicates", -1), 1) << Describe() << ": " << outcome.body;
    came_back_as_duplicates += answer.value("duplicates", 0);
  }
  // Each sender retries until an answer, so every delivery got one.
  EXPECT_EQ(answered, deliveries_) << Describe();

  // What the log holds.
  std::vector<LoggedEvent> events = ReadLoggedEvents(*OpenForReading(dir_ / "data" / "log"));
  std::map<std::string, int> count_of_id;
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].seq, i + 1) << Describe() << ": the seqs are not dense";
    EXPECT_EQ(++count_of_id[events[i].id], 1) << Describe() << ": event id " << events[i].id << " is in the log twice";
  }
  for (uint64_t index = 0; index < deliveries_; ++index) {
    if (outcomes_[index].status / 100 != 2) continue;
    std::string id = "github:" + DeliveryId(index) + ":0";
    EXPECT_EQ(count_of_id[id], 1) << Describe() << ": answered delivery " << id << " is not in the log once";
  }
  // Besides them, only the rule set's activation at the first start (the
  // same rule set is not activated again at a restart).
  std::vector<std::string> others;
  for (const LoggedEvent& event : events) {
    if (event.id.rfind("github:", 0) != 0) others.push_back(event.type + " " + event.id);
  }
  EXPECT_EQ(events.size() - others.size(), deliveries_) << Describe();
  ASSERT_EQ(others.size(), 1u) << Describe() << ": " << (others.empty() ? "" : others.back());
  EXPECT_EQ(others[0].rfind("ruleset.activated ", 0), 0u) << Describe() << ": " << others[0];
  KeelRun verify = RunKeel({"verify", "--db", (dir_ / "data" / "log").string(), "--json"});
  EXPECT_EQ(verify.exit_code, 0) << Describe() << "\n" << verify.Describe();

  std::printf(
      "[ figures  ] sync=%s: %llu deliveries over %d connections, %zu kills (and %zu while starting), "
      "%llu retried (%llu 5xx answers), %llu answered as duplicates after a lost answer, %.1f s\n",
      GetParam(), static_cast<unsigned long long>(deliveries_), connections_, kills, early_kills,
      static_cast<unsigned long long>(retried), static_cast<unsigned long long>(unavailable),
      static_cast<unsigned long long>(came_back_as_duplicates), seconds);
}

INSTANTIATE_TEST_SUITE_P(SyncModes, WebhookCrashTest, ::testing::Values("batch", "always"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace keel::testing
