// The scenario packs with webhooks/ (pack_webhooks.h): every payload maps
// through its built-in mapping; the pack's map-webhooks.sh makes the input the
// tests use; and the story runs through the real receiver as it would live:
// `keel serve` in embedded mode (one local log, no brokers) with the pack's
// rules, its people file and a webhook endpoint per tool, each with a secret
// from the environment. That test posts events.ndjson to POST /events
// (CloudEvents, bearer token), then each payload, signed as the tool signs it,
// in order (each twice: a redelivery adds nothing); stops the server; and
// checks that the rules derived exactly expected/derived.ndjson, as `keel run`
// does, and that the log verifies.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "connectors/http/signatures.h"
#include "tests/cli/run_keel_support.h"
#include "tests/examples/pack_webhooks.h"
#include "tests/support/file_text.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kExamples = fs::path(KEEL_SOURCE_DIR) / "examples";
constexpr char kEventsToken[] = "pack-events-token";

// How each tool signs a delivery (SPEC: "Signatures"): the header and the
// prefix before the hex HMAC-SHA256 of the body. Secrets are per tool.
struct ToolSignature {
  std::string header;
  std::string prefix;
};
const std::map<std::string, ToolSignature> kSignatures = {
    {"github", {"X-Hub-Signature-256", "sha256="}},
    {"jira", {"X-Hub-Signature", "sha256="}},
    {"clickup", {"X-Signature", ""}},
    {"linear", {"Linear-Signature", ""}},
};

std::string SecretOf(const std::string& tool) { return "pack-secret-of-" + tool; }
std::string SecretEnv(const std::string& tool) { return "KEEL_PACK_TEST_" + tool + "_SECRET"; }

// A loopback port nobody listens on now.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof(address);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// `keel serve --config FILE` as a child process, its output in `log`; stopped
// with SIGTERM (a clean shutdown) by Stop or the destructor.
class ServeProcess {
 public:
  ServeProcess(const fs::path& config, const fs::path& log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      FILE* out = std::freopen(log.c_str(), "w", stdout);
      if (out != nullptr) ::dup2(::fileno(stdout), STDERR_FILENO);
      std::string keel = KeelPath();
      ::execl(keel.c_str(), keel.c_str(), "serve", "--config", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~ServeProcess() { Stop(); }

  // The exit status (128 + signal when killed); -1 when it never started.
  int Stop() {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int waited = 0; waited < 300; ++waited) {  // 30 s, then SIGKILL
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = 128 + SIGKILL;
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Packs with webhooks/ only.
std::vector<std::string> PacksWithWebhooks() {
  std::vector<std::string> packs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kExamples, ec)) {
    if (entry.is_directory() && !PackDeliveries(entry.path()).empty()) packs.push_back(entry.path().filename().string());
  }
  std::sort(packs.begin(), packs.end());
  return packs;
}

class ExampleWebhookPackTest : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path Pack() const { return kExamples / GetParam(); }
};

// Every payload of a pack's webhooks/ maps to at least one event through the
// built-in mapping its name gives: none is refused or ignored.
TEST_P(ExampleWebhookPackTest, WebhookPayloadsMapThroughTheBuiltInMappings) {
  std::vector<PackDelivery> deliveries = PackDeliveries(Pack());
  for (const PackDelivery& delivery : deliveries) {
    std::vector<std::string> args = MapArguments(Pack(), delivery);
    args.insert(args.end() - 1, "--json");
    KeelRun mapped = RunKeel(args);
    ASSERT_EQ(mapped.exit_code, 0) << delivery.payload << ": " << mapped.Describe();
    Json result = Json::parse(mapped.out);
    EXPECT_FALSE(result["events"].empty()) << delivery.payload << " maps to no event: " << mapped.out;
    EXPECT_TRUE(result["ignored"].is_null()) << delivery.payload << " is ignored: " << result["ignored"];
  }
}

// A pack's map-webhooks.sh (what its README tells a user to run) prints the
// same input as the test makes: events.ndjson, then each payload mapped.
TEST_P(ExampleWebhookPackTest, ItsMapWebhooksScriptMakesTheRunInput) {
  fs::path script = Pack() / "map-webhooks.sh";
  ASSERT_TRUE(fs::exists(script)) << "a pack with webhooks/ has a map-webhooks.sh for its README's users";
  TempDir dir;
  fs::path input = RunInput(Pack(), dir.path());
  ASSERT_FALSE(input.empty());
  std::string command = "bash '" + script.string() + "' '" + KeelPath() + "' > '" + (dir / "script.ndjson").string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  EXPECT_EQ(ReadFileText(dir / "script.ndjson"), ReadFileText(input));
}

TEST_P(ExampleWebhookPackTest, TheReceiverDerivesWhatKeelRunDerives) {
  std::vector<PackDelivery> deliveries = PackDeliveries(Pack());
  TempDir dir;
  int port = FreePort();
  ASSERT_GT(port, 0);

  // serve.yaml: the pack's rules, a webhook endpoint per tool of its payloads.
  std::string workspace = PackWorkspace(Pack());
  std::ofstream config(dir / "serve.yaml");
  config << "data: " << (dir / "data").string() << "\n"
         << "rules: " << Pack().string() << "\n"
         << "http_address: 127.0.0.1\nhttp_port: " << port << "\n";
  if (!PackPeopleFile(Pack()).empty()) {
    config << "people: {" << workspace << ": " << PackPeopleFile(Pack()).string() << "}\n";
  }
  config << "webhooks:\n";
  std::set<std::string> tools;
  for (const PackDelivery& delivery : deliveries) tools.insert(delivery.source);
  for (const std::string& tool : tools) {
    ASSERT_TRUE(kSignatures.count(tool)) << "no signature known for " << tool;
    ::setenv(SecretEnv(tool).c_str(), SecretOf(tool).c_str(), 1);
    config << "  - {source: " << tool << ", workspace: " << workspace << ", secret_env: " << SecretEnv(tool) << "}\n";
  }
  ::setenv("KEEL_PACK_TEST_EVENTS_TOKEN", kEventsToken, 1);
  config << "events:\n  token_env: KEEL_PACK_TEST_EVENTS_TOKEN\n";
  config.close();

  ServeProcess serve(dir / "serve.yaml", dir / "serve.log");
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30, 0);
  bool up = false;
  for (int tries = 0; tries < 300 && !up; ++tries) {  // 30 s
    auto health = client.Get("/healthz");
    up = health && health->status == 200;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(up) << "keel serve did not come up: " << ReadFileText(dir / "serve.log");

  // The strategy, as CloudEvents (structured mode), then the tools' deliveries.
  for (const std::string& line : Lines(ReadFileText(Pack() / "events.ndjson"))) {
    if (line.empty()) continue;
    auto posted = client.Post("/events", {{"Authorization", std::string("Bearer ") + kEventsToken}}, line,
                              "application/cloudevents+json");
    ASSERT_TRUE(posted) << "POST /events: " << httplib::to_string(posted.error());
    ASSERT_EQ(posted->status / 100, 2) << line << ": " << posted->status << " " << posted->body;
  }
  for (const PackDelivery& delivery : deliveries) {
    std::string body = ReadFileText(delivery.payload);
    httplib::Headers headers;
    for (const std::string& header : delivery.headers) {
      size_t colon = header.find(':');
      headers.emplace(header.substr(0, colon), header.substr(header.find_first_not_of(' ', colon + 1)));
    }
    const ToolSignature& signature = kSignatures.at(delivery.source);
    headers.emplace(signature.header, signature.prefix + http::HmacSha256Hex(SecretOf(delivery.source), body));
    auto posted = client.Post("/hooks/" + delivery.source, headers, body, "application/json");
    ASSERT_TRUE(posted) << delivery.payload << ": " << httplib::to_string(posted.error());
    ASSERT_EQ(posted->status, 200) << delivery.payload << ": " << posted->body;
    EXPECT_GT(Json::parse(posted->body).value("appended", 0), 0) << delivery.payload << ": " << posted->body;
    // Tools redeliver when unsure the first arrived: the same delivery id adds nothing.
    auto again = client.Post("/hooks/" + delivery.source, headers, body, "application/json");
    ASSERT_TRUE(again) << delivery.payload << ": " << httplib::to_string(again.error());
    ASSERT_EQ(again->status, 200) << delivery.payload << ": " << again->body;
    EXPECT_EQ(Json::parse(again->body).value("appended", -1), 0) << delivery.payload << ": " << again->body;
  }
  ASSERT_EQ(serve.Stop(), 0) << ReadFileText(dir / "serve.log");

  // What the rules derived in the served log, against the pack's expected file.
  fs::path input = RunInput(Pack(), dir.path());
  ASSERT_FALSE(input.empty());
  std::string db = (dir / "data" / "log").string();
  KeelRun exported = RunKeel({"export", "--db", db});
  ASSERT_EQ(exported.exit_code, 0) << exported.Describe();
  std::vector<std::string> actual = DerivedLines(exported.out, InputIds(input));
  std::vector<std::string> expected = ExpectedLines(Pack());
  size_t common = std::min(expected.size(), actual.size());
  for (size_t i = 0; i < common; ++i) ASSERT_EQ(expected[i], actual[i]) << "derived event " << i + 1;
  ASSERT_EQ(expected.size(), actual.size());
  KeelRun verified = RunKeel({"verify", "--db", db});
  EXPECT_EQ(verified.exit_code, 0) << verified.Describe();
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleWebhookPackTest, ::testing::ValuesIn(PacksWithWebhooks()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = "pack_" + info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExampleWebhookPackTest);

}  // namespace
}  // namespace keel::testing
