#include "tests/server/api/api_test_support.h"

#include <httplib.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include <gtest/gtest.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "engine/schema/schema_registry.h"
#include "tests/cli/run_keel_support.h"
#include "tests/support/file_text.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kExamples = fs::path(KEEL_SOURCE_DIR) / "examples";

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

const nlohmann::json& OpenApi() {
  static const nlohmann::json document =
      nlohmann::json::parse(ReadFileText(fs::path(KEEL_SOURCE_DIR) / "schemas" / "openapi.json"));
  return document;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '/')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

// The openapi path template `path` answers to.
std::string RouteOf(const std::string& path) {
  std::vector<std::string> asked = Segments(path);
  for (const auto& [route, item] : OpenApi()["paths"].items()) {
    std::vector<std::string> pattern = Segments(route);
    if (pattern.size() != asked.size()) continue;
    bool matches = true;
    for (size_t i = 0; matches && i < asked.size(); ++i) {
      matches = (pattern[i].front() == '{' && pattern[i].back() == '}') || pattern[i] == asked[i];
    }
    if (matches) return route;
  }
  return "";
}

// Compiles the component `name` of openapi.json as a draft-07 schema whose
// $refs resolve inside the document.
std::shared_ptr<valijson::Schema> Compiled(const std::string& ref) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<valijson::Schema>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto found = cache.find(ref);
  if (found != cache.end()) return found->second;
  nlohmann::json document = {{"$schema", "http://json-schema.org/draft-07/schema#"},
                             {"components", OpenApi()["components"]},
                             {"$ref", ref}};
  auto schema = std::make_shared<valijson::Schema>();
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  parser.populateSchema(adapter, *schema);
  cache.emplace(ref, schema);
  return schema;
}

}  // namespace

fs::path PackLog(const std::string& pack, size_t first_events) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<TempDir>> made;
  std::lock_guard<std::mutex> lock(mu);
  std::string key = pack + "#" + std::to_string(first_events);
  auto found = made.find(key);
  if (found != made.end()) return (*found->second) / "db";
  auto dir = std::make_unique<TempDir>();
  fs::path events = kExamples / pack / "events.ndjson";
  if (first_events > 0) {
    std::vector<std::string> lines = Lines(ReadFileText(events));
    lines.resize(std::min(lines.size(), first_events));
    std::ofstream out(*dir / "events.ndjson");
    for (const std::string& line : lines) out << line << "\n";
    events = *dir / "events.ndjson";
  }
  std::vector<std::string> args = {"run", "--rules", (kExamples / pack).string(), "--events", events.string(),
                                   "--db", (*dir / "db").string()};
  if (fs::exists(kExamples / pack / "run.args")) {
    for (const std::string& word : Words(ReadFileText(kExamples / pack / "run.args"))) args.push_back(word);
  }
  KeelRun run = RunKeel(args);
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  fs::path db = *dir / "db";
  made.emplace(key, std::move(dir));
  return db;
}

std::vector<TestToken> TestTokens() {
  using api::ApiRole;
  return {
      {"keel_test_admin", "user:root", ApiRole::kAdmin, {"*"}},
      {"keel_test_acme", "user:dev", ApiRole::kMember, {"acme"}},
      {"keel_test_priya", "user:priya", ApiRole::kMember, {"acme"}},
      {"keel_test_globex", "user:gina", ApiRole::kMember, {"globex"}},
      {"keel_test_studio", "user:amir", ApiRole::kMember, {"studio"}},
      {"keel_test_fred", "guest:fred", ApiRole::kGuest, {"studio"}},
      {"keel_test_acme_guest", "guest:pat", ApiRole::kGuest, {"acme"}},
  };
}

api::ApiTokens TestApiTokens() {
  std::vector<api::ApiToken> tokens;
  for (const TestToken& t : TestTokens()) {
    api::ApiToken token;
    token.name = t.token.substr(10);
    EXPECT_TRUE(HashFromHex(api::TokenDigestHex(t.token), &token.sha256));
    token.person = t.person;
    token.role = t.role;
    token.workspaces = t.workspaces;
    tokens.push_back(std::move(token));
  }
  return api::ApiTokens::Of(std::move(tokens));
}

std::string Token(const std::string& name) { return "keel_test_" + name; }

std::string Reply::Header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? "" : found->second;
}

std::string OpenApiMismatch(const std::string& method, const std::string& path, int status,
                            const nlohmann::json& body) {
  std::string route = RouteOf(path);
  std::string verb = method == "GET" ? "get" : "post";
  if (route.empty() || !OpenApi()["paths"][route].contains(verb)) {
    // No operation answers it (an unknown path, another method): an error.
    if (status < 400) return "openapi.json has no " + method + " on " + path;
    std::string why = SchemaMismatch("#/components/schemas/Error", body);
    return why.empty() ? "" : method + " " + path + " -> " + std::to_string(status) + ": " + why;
  }
  const nlohmann::json& operation = OpenApi()["paths"][route];
  const nlohmann::json& responses = operation[verb]["responses"];
  std::string code = std::to_string(status);
  if (!responses.contains(code)) return "openapi.json lists no " + code + " answer for " + method + " " + route;
  const nlohmann::json& content = responses[code]["content"];
  if (!content.contains("application/json")) return "openapi.json's " + code + " of " + route + " is not JSON";
  std::string ref = content["application/json"]["schema"].value("$ref", "");
  if (ref.empty()) return "the schema of " + route + " " + code + " is not a $ref";
  std::string why = SchemaMismatch(ref, body);
  return why.empty() ? "" : method + " " + path + " -> " + code + ": " + why;
}

std::string SchemaMismatch(const std::string& ref, const nlohmann::json& body) {
  std::shared_ptr<valijson::Schema> schema = Compiled(ref);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(body);
  if (validator.validate(*schema, target, &results)) return "";
  std::string why = "does not match " + ref + ":";
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    std::string where;
    for (const std::string& part : error.context) where += part;
    why += "\n  " + where + ": " + error.description;
  }
  return why;
}

ApiHarness::ApiHarness(const fs::path& db, Mode mode, api::ApiSettings settings) {
  if (mode == Mode::kReadOnly) {
    LogOptions options;
    options.read_only = true;
    auto log = EventLog::Open(db, options);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    backend_ = std::make_unique<server::ReadOnlyApiBackend>(std::move(log).value());
  } else {
    fs::copy(db, copy_ / "db", fs::copy_options::recursive);
    auto schemas = SchemaRegistry::LoadEmbedded();
    EXPECT_TRUE(schemas.ok());
    schemas_ = std::move(schemas).value();
    server::LocalIngestOptions options;
    options.dir = copy_ / "db";
    auto local = server::LocalIngest::Open(options, hooks_, schemas_.get(), &metrics_);
    EXPECT_TRUE(local.ok()) << local.status().ToString();
    local_ = std::move(local).value();
    backend_ = std::make_unique<server::LocalApiBackend>(local_.get());
  }
  server_ = std::make_unique<api::ApiServer>(TestApiTokens(), false, backend_.get(), settings);
  Status started = server_->Start("127.0.0.1", 0);
  EXPECT_TRUE(started.ok()) << started.ToString();
}

ApiHarness::~ApiHarness() {
  server_->Stop();
  if (local_) {
    EXPECT_TRUE(local_->Close().ok());
  }
}

// One log holds every workspace here, and lives as long as the harness.
const EventLog& ApiHarness::log() const { return *backend_->LogOf(backend_->Workspaces().front()); }

namespace {

Reply ToReply(const httplib::Result& result, const std::string& method, const std::string& path) {
  Reply reply;
  if (!result) {
    ADD_FAILURE() << method << " " << path << ": no answer (" << httplib::to_string(result.error()) << ")";
    return reply;
  }
  reply.status = result->status;
  reply.text = result->body;
  for (const auto& [name, value] : result->headers) reply.headers.emplace(name, value);
  reply.content_type = result->get_header_value("Content-Type");
  if (reply.content_type == "application/json") {
    reply.body = nlohmann::json::parse(reply.text, nullptr, false);
    EXPECT_FALSE(reply.body.is_discarded()) << method << " " << path << " answered malformed JSON: " << reply.text;
    std::string bare = path.substr(0, path.find('?'));
    std::string mismatch = OpenApiMismatch(method, bare, reply.status, reply.body);
    EXPECT_EQ(mismatch, "") << reply.text;
  } else {
    ADD_FAILURE() << method << " " << path << " answered " << reply.content_type << ", not JSON: " << reply.text;
  }
  return reply;
}

httplib::Headers HeadersOf(const std::string& token, const std::vector<std::pair<std::string, std::string>>& more) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  for (const auto& [name, value] : more) headers.emplace(name, value);
  return headers;
}

}  // namespace

Reply ApiHarness::Get(const std::string& path_and_query, const std::string& token,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  httplib::Client client("127.0.0.1", port());
  client.set_read_timeout(10, 0);
  client.set_url_encode(false);  // the path and query go as written
  return ToReply(client.Get(path_and_query, HeadersOf(token, headers)), "GET", path_and_query);
}

Reply ApiHarness::Post(const std::string& path, const std::string& token, const std::string& body) {
  httplib::Client client("127.0.0.1", port());
  client.set_read_timeout(10, 0);
  return ToReply(client.Post(path, HeadersOf(token, {}), body, "application/json"), "POST", path);
}

}  // namespace keel::testing
