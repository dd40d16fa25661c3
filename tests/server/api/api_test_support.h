// The API tests' harness: logs of the example packs (built once per test
// program by the real `keel run`), an ApiServer over one on a loopback port,
// and a client whose every JSON answer is checked against the response
// schema schemas/openapi.json gives for its route and status.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api/api_server.h"
#include "server/api_backends.h"
#include "server/local_ingest.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {

// The log of `keel run` over examples/PACK (its events.ndjson, or only the
// first `first_events` of them when > 0), made once per program.
std::filesystem::path PackLog(const std::string& pack, size_t first_events = 0);

// Tokens the tests use, each "keel_test_NAME".
struct TestToken {
  std::string token;
  std::string person;
  api::ApiRole role;
  std::vector<std::string> workspaces;
};
std::vector<TestToken> TestTokens();
api::ApiTokens TestApiTokens();
// The token of the test token named `name` (e.g. "admin", "priya").
std::string Token(const std::string& name);

struct Reply {
  int status = 0;
  std::string content_type;
  std::multimap<std::string, std::string> headers;
  std::string text;
  nlohmann::json body;  // parsed when JSON
  std::string Header(const std::string& name) const;
};

// Checks `body` against the schema openapi.json gives for `method` on the
// route matching `path` and `status`; "" when it matches, else why not.
std::string OpenApiMismatch(const std::string& method, const std::string& path, int status,
                            const nlohmann::json& body);

// Checks `value` against the component `ref` ("#/components/schemas/X").
std::string SchemaMismatch(const std::string& ref, const nlohmann::json& value);

// An ApiServer on 127.0.0.1 (a free port) over a log: read-only over the log
// in `db`, or (writable) over a copy of it through LocalIngest, no rules run.
class ApiHarness {
 public:
  enum class Mode { kReadOnly, kWritable };
  ApiHarness(const std::filesystem::path& db, Mode mode, api::ApiSettings settings = {});
  ~ApiHarness();

  // Requests with `token` (none when empty); the answer must match the
  // OpenAPI schema of its route (ADD_FAILURE otherwise).
  Reply Get(const std::string& path_and_query, const std::string& token,
            const std::vector<std::pair<std::string, std::string>>& headers = {});
  Reply Post(const std::string& path, const std::string& token, const std::string& body);
  int port() const { return server_->port(); }
  const EventLog& log() const;

 private:
  TempDir copy_;
  ServeMetrics metrics_;
  PartitionHooks hooks_;
  std::unique_ptr<SchemaRegistry> schemas_;
  std::unique_ptr<server::LocalIngest> local_;
  std::unique_ptr<api::ApiBackend> backend_;
  std::unique_ptr<api::ApiServer> server_;
};

}  // namespace keel::testing
