// The API's commands through the real `keel`: `keel api token` and the
// read-only `keel serve --db DIR`.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "engine/sha256.h"
#include "server/serve_config.h"
#include "server/api/api_tokens.h"
#include "tests/cli/run_keel_support.h"
#include "tests/server/api/api_test_support.h"
#include "tests/support/file_text.h"

namespace keel::testing {
namespace {

using Json = nlohmann::json;

TEST(ApiTokenCommand, PrintsATokenAndTheEntryWithItsDigestOnly) {
  KeelRun run = RunKeel({"api", "token", "--person", "user:olga", "--role", "member", "--workspace", "acme",
                         "--workspace", "globex", "--name", "olga-laptop"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  std::vector<std::string> out = Lines(run.out);
  ASSERT_EQ(out.size(), 1u);
  const std::string& token = out[0];
  EXPECT_TRUE(std::regex_match(token, std::regex("keel_[A-Za-z0-9_-]{43}"))) << token;
  std::string digest = HashToHex(Sha256(token));
  EXPECT_NE(run.err.find("    sha256: " + digest + "\n"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(token), std::string::npos) << "the token is on stdout only";
  // The entry, pasted under `tokens:`, is a tokens file that knows the token.
  std::string entry = run.err.substr(run.err.find("  - name:"));
  auto tokens = api::ApiTokens::Parse("tokens:\n" + entry, "api-tokens.yaml");
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString() << "\n" << entry;
  const api::ApiToken* found = tokens->Find(token);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "olga-laptop");
  EXPECT_EQ(found->person, "user:olga");
  EXPECT_EQ(found->role, api::ApiRole::kMember);
  EXPECT_EQ(found->workspaces, (std::vector<std::string>{"acme", "globex"}));
}

TEST(ApiTokenCommand, RefusesABadRoleAndEveryWorkspaceForAMember) {
  KeelRun role = RunKeel({"api", "token", "--person", "user:a", "--role", "boss", "--workspace", "acme"});
  EXPECT_EQ(role.exit_code, 1);
  EXPECT_NE(role.err.find("role must be admin, member or guest, not 'boss'"), std::string::npos) << role.err;
  KeelRun star = RunKeel({"api", "token", "--person", "user:a", "--role", "member", "--workspace", "*"});
  EXPECT_EQ(star.exit_code, 1);
  EXPECT_EQ(star.out, "");
}

// `keel serve ARGS` running in the background until destroyed (SIGTERM).
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& args) {
    int out[2];
    EXPECT_EQ(::pipe(out), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      std::string path = KeelPath();
      std::vector<char*> argv = {path.data()};
      std::vector<std::string> copy = args;
      for (std::string& arg : copy) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(path.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
  }
  ~ServeProcess() {
    if (pid_ > 0 && exit_code_ < 0) Stop();
    ::close(out_);
  }
  // The first line of its stdout.
  std::string FirstLine() {
    std::string line;
    char c;
    while (::read(out_, &c, 1) == 1 && c != '\n') line.push_back(c);
    return line;
  }
  int Stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int exit_code_ = -1;
};

int PortOf(const std::string& line) {
  std::smatch match;
  if (!std::regex_match(line, match, std::regex("keel: the page is at http://127\\.0\\.0\\.1:([0-9]+)/"))) return -1;
  return std::stoi(match[1]);
}

TEST(ReadOnlyServe, ServesTheApiOverALogAndPrintsThePageAddress) {
  ServeProcess serve({"serve", "--db", PackLog("04-sensitive-data-guardrails", 7).string(), "--api-port", "0"});
  std::string line = serve.FirstLine();
  int port = PortOf(line);
  ASSERT_GT(port, 0) << line;
  httplib::Client client("127.0.0.1", port);
  // No tokens file: loopback requests are an admin of every workspace.
  auto me = client.Get("/api/v1/me");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  Json body = Json::parse(me->body);
  EXPECT_EQ(body["role"], "admin");
  EXPECT_EQ(OpenApiMismatch("GET", "/api/v1/me", 200, body), "");
  auto workspaces = client.Get("/api/v1/workspaces");
  ASSERT_TRUE(workspaces);
  EXPECT_EQ(Json::parse(workspaces->body), Json::parse(R"({"workspaces":[{"id":"acme"}]})"));
  auto grant = client.Post("/api/v1/workspaces/acme/approvals/a-35f66492b002dec9/grant", "{}", "application/json");
  ASSERT_TRUE(grant);
  EXPECT_EQ(grant->status, 409);
  Json refused = Json::parse(grant->body);
  EXPECT_EQ(refused["error"]["code"], "read_only");
  EXPECT_EQ(OpenApiMismatch("POST", "/api/v1/workspaces/acme/approvals/a-35f66492b002dec9/grant", 409, refused), "");
  EXPECT_EQ(serve.Stop(), 0);
}

TEST(ReadOnlyServe, WithATokensFileEveryRequestNeedsOne) {
  TempDir dir;
  std::string token = "keel_test_olga";
  std::ofstream(dir / "tokens.yaml") << "tokens:\n  - name: olga\n    sha256: " << HashToHex(Sha256(token))
                                     << "\n    person: user:olga\n    role: member\n    workspaces: [acme]\n";
  ServeProcess serve({"serve", "--db", PackLog("04-sensitive-data-guardrails", 7).string(), "--api-port", "0",
                      "--tokens", (dir / "tokens.yaml").string()});
  int port = PortOf(serve.FirstLine());
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  auto anonymous = client.Get("/api/v1/me");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto me = client.Get("/api/v1/me", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(me);
  EXPECT_EQ(Json::parse(me->body), Json::parse(R"({"person":"user:olga","role":"member","workspaces":["acme"]})"));
}

TEST(ReadOnlyServe, RefusesAMissingLogAndBothModesAtOnce) {
  KeelRun missing = RunKeel({"serve", "--db", "/nonexistent/keel-db", "--api-port", "0"});
  EXPECT_EQ(missing.exit_code, 2) << missing.Describe();
  KeelRun both = RunKeel({"serve", "--db", "/tmp", "--config", "serve.yaml"});
  EXPECT_NE(both.exit_code, 0);
  KeelRun neither = RunKeel({"serve"});
  EXPECT_EQ(neither.exit_code, 2);
  EXPECT_NE(neither.err.find("give --config FILE, or --db DIR"), std::string::npos) << neither.err;
}

// A port nothing listens on now (the kernel's pick, let go at once).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Waits until `port` answers /api/v1/me with `token`.
bool WaitForApi(int port, const std::string& token) {
  httplib::Client client("127.0.0.1", port);
  for (int i = 0; i < 200; ++i) {
    auto me = client.Get("/api/v1/me", {{"Authorization", "Bearer " + token}});
    if (me && me->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(ServeConfigApi, ReadsTheApiSection) {
  TempDir dir;
  std::ofstream(dir / "serve.yaml") << "data: d\nrules: r\napi:\n  port: 9090\n  tokens_file: t.yaml\n";
  auto config = server::ReadServeConfig((dir / "serve.yaml").string());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->api.enabled);
  EXPECT_EQ(config->api.address, "127.0.0.1");
  EXPECT_EQ(config->api.port, 9090);
  EXPECT_EQ(config->api.tokens_file, "t.yaml");
  std::ofstream(dir / "none.yaml") << "data: d\nrules: r\n";
  EXPECT_FALSE(server::ReadServeConfig((dir / "none.yaml").string())->api.enabled);
}

TEST(ServeConfigApi, RefusesAnApiSectionWithoutTokensOrWithUnknownKeys) {
  TempDir dir;
  std::string path = (dir / "serve.yaml").string();
  std::ofstream(path) << "data: d\nrules: r\napi:\n  port: 9090\n";
  auto missing = server::ReadServeConfig(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), path + ":4: 'api' needs 'tokens_file' (make tokens with keel api token)");
  std::ofstream(path) << "data: d\nrules: r\napi:\n  tokens_file: t.yaml\n  host: 0.0.0.0\n";
  auto unknown = server::ReadServeConfig(path);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            path + ":5: unknown setting 'api.host' (api has address, port, tokens_file)");
  std::ofstream(path) << "data: d\nrules: r\napi:\n  tokens_file: t.yaml\n  port: 70000\n";
  auto port = server::ReadServeConfig(path);
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().message(), path + ":5: 'api.port' must be a whole number from 1 to 65535");
}

// Embedded mode end to end: pack 04's first two events arrive by POST
// /events; the request for task/R-2 waits for user:priya's approval; she
// grants it through the API, and the pack's rules move the request on.
TEST(EmbeddedServeApi, AGrantThroughTheApiMovesTheRequestOn) {
  TempDir dir;
  std::string token = "keel_test_priya";
  std::ofstream(dir / "tokens.yaml") << "tokens:\n  - name: priya\n    sha256: " << HashToHex(Sha256(token))
                                     << "\n    person: user:priya\n    role: member\n    workspaces: [acme]\n";
  int http_port = FreePort();
  int api_port = FreePort();
  std::ofstream(dir / "serve.yaml") << "data: " << (dir / "data").string()
                                    << "\nrules: examples/04-sensitive-data-guardrails\nhttp_address: 127.0.0.1\n"
                                    << "http_port: " << http_port << "\nevents:\n  token_env: KEEL_API_TEST_EVENTS\n"
                                    << "api:\n  port: " << api_port << "\n  tokens_file: "
                                    << (dir / "tokens.yaml").string() << "\n";
  ::setenv("KEEL_API_TEST_EVENTS", "events-secret", 1);
  ServeProcess serve({"serve", "--config", (dir / "serve.yaml").string()});
  ASSERT_TRUE(WaitForApi(api_port, token));

  std::vector<std::string> lines = Lines(ReadFileText("examples/04-sensitive-data-guardrails/events.ndjson"));
  httplib::Client events("127.0.0.1", http_port);
  auto posted = events.Post("/events", {{"Authorization", "Bearer events-secret"}},
                            "[" + lines[0] + "," + lines[1] + "]", "application/cloudevents-batch+json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;

  httplib::Client api("127.0.0.1", api_port);
  httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  auto task = api.Get("/api/v1/workspaces/acme/entities/task/R-2", auth);
  ASSERT_TRUE(task);
  EXPECT_EQ(Json::parse(task->body)["state"]["status"], "awaiting_approval");
  auto inbox = api.Get("/api/v1/workspaces/acme/approvals", auth);
  ASSERT_TRUE(inbox);
  Json approvals = Json::parse(inbox->body);
  EXPECT_EQ(OpenApiMismatch("GET", "/api/v1/workspaces/acme/approvals", 200, approvals), "");
  ASSERT_EQ(approvals["approvals"].size(), 1u);
  EXPECT_EQ(approvals["approvals"][0]["ref"], "approval/a-35f66492b002dec9");

  auto grant = api.Post("/api/v1/workspaces/acme/approvals/a-35f66492b002dec9/grant", auth,
                        R"({"reason":"Consent text is fine."})", "application/json");
  ASSERT_TRUE(grant);
  ASSERT_EQ(grant->status, 200) << grant->body;
  Json decided = Json::parse(grant->body);
  EXPECT_EQ(OpenApiMismatch("POST", "/api/v1/workspaces/acme/approvals/a-35f66492b002dec9/grant", 200, decided), "");
  EXPECT_EQ(decided["changed"], true);
  EXPECT_TRUE(decided["event"]["seq"].is_number());

  // record-privacy-decision, then approved-request-ready (the pack's rules).
  auto moved = api.Get("/api/v1/workspaces/acme/entities/task/R-2", auth);
  ASSERT_TRUE(moved);
  Json state = Json::parse(moved->body)["state"];
  EXPECT_EQ(state["privacy_approval"], "granted");
  EXPECT_EQ(state["status"], "ready");
  EXPECT_EQ(serve.Stop(), 0);
}

}  // namespace
}  // namespace keel::testing
