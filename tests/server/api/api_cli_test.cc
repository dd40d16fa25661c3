// The API's commands through the real `keel`: `keel api token` and the
// read-only `keel serve --db DIR`.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "engine/sha256.h"
#include "server/api/api_tokens.h"
#include "tests/cli/run_keel_support.h"
#include "tests/server/api/api_test_support.h"

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

}  // namespace
}  // namespace keel::testing
