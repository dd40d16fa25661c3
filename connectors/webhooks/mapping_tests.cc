// Running mapping tests: each test maps one payload file through the test
// file's mapping and compares what comes out with what it expects.
#include "connectors/webhooks/mapping_tests.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "connectors/webhooks/builtin_mappings.h"
#include "connectors/webhooks/map_delivery.h"
#include "connectors/webhooks/mapping_yaml.h"
#include "connectors/webhooks/people.h"
#include "engine/yaml_load.h"

namespace keel::webhooks {
namespace {

constexpr size_t kMaxPayloadBytes = 16 * 1024 * 1024;

const std::set<std::string, std::less<>> kFileKeys = {"mapping", "source", "endpoint", "workspace", "people", "tests"};
const std::set<std::string, std::less<>> kTestKeys = {"name", "payload", "headers", "expect", "expect_ignored",
                                                      "expect_refused"};

bool SameNumber(const nlohmann::json& a, const nlohmann::json& b) {
  return a.is_number() && b.is_number() && a.get<double>() == b.get<double>();
}

}  // namespace

Result<std::string> ReadTestInput(const std::filesystem::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.generic_string() + ": cannot read the " + what);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxPayloadBytes) return Status::InvalidArgument(path.generic_string() + ": over 16 MiB");
  return text.str();
}

bool PartialMatch(const nlohmann::json& expected, const nlohmann::json& actual, const std::string& path,
                  std::vector<std::string>* failures) {
  if (expected.is_object() && actual.is_object()) {
    bool ok = true;
    for (const auto& [key, value] : expected.items()) {
      std::string at = path.empty() ? key : path + "." + key;
      if (!actual.contains(key)) {
        failures->push_back(at + ": expected " + value.dump() + ", got nothing");
        ok = false;
        continue;
      }
      ok = PartialMatch(value, actual[key], at, failures) && ok;
    }
    return ok;
  }
  if (expected.is_array() && actual.is_array() && expected.size() == actual.size()) {
    bool ok = true;
    for (size_t i = 0; i < expected.size(); ++i) {
      ok = PartialMatch(expected[i], actual[i], path + "[" + std::to_string(i) + "]", failures) && ok;
    }
    return ok;
  }
  if (expected == actual || SameNumber(expected, actual)) return true;
  failures->push_back((path.empty() ? std::string("value") : path) + ": expected " + expected.dump() + ", got " +
                      actual.dump());
  return false;
}

Result<std::vector<std::filesystem::path>> FindMappingTestFiles(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_regular_file(path, error)) return std::vector<std::filesystem::path>{path};
  if (!std::filesystem::is_directory(path, error)) return Status::NotFound(path.generic_string() + ": no such file or folder");
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(path, error);
       it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (error) return Status::IOError(path.generic_string() + ": " + error.message());
    std::string ext = it->path().extension().string();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return Status::NotFound(path.generic_string() + ": no mapping test files (*.yaml) there");
  return files;
}

Result<std::vector<MappingTestResult>> RunMappingTestFile(const std::filesystem::path& file,
                                                          const ExpressionCompiler& compiler,
                                                          const SchemaRegistry* schemas) {
  std::string name = file.generic_string();
  KEEL_ASSIGN_OR_RETURN(std::string text, ReadTestInput(file, "test file"));
  YamlPlace where;
  Result<std::vector<YAML::Node>> documents = LoadYaml(text, {}, &where);
  if (!documents.ok()) return YamlRefusal(name, documents.status(), where);
  if (documents->size() != 1 || !(*documents)[0].IsMap()) {
    return Status::InvalidArgument(name + ": a mapping test file is one mapping (mapping: or source:, tests:)");
  }
  const YAML::Node& root = (*documents)[0];
  auto fail = [&](const YAML::Node& node, const std::string& message) {
    return Status::InvalidArgument(AtPlace(name, PlaceOf(node), message));
  };
  auto text_of = [&](const YAML::Node& node, const char* key) -> Result<std::string> {
    if (!IsTextScalar(node)) return fail(node, std::string(key) + ": expected text, got " + Describe(node));
    return node.Scalar();
  };
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (kFileKeys.count(it->first.Scalar()) == 0) {
      return fail(it->first, "unknown key '" + it->first.Scalar() + "' (known: mapping, source, endpoint, workspace, people, tests)");
    }
  }
  std::filesystem::path dir = file.parent_path();
  Result<Mapping> mapping = Status::InvalidArgument(name + ": give mapping: (a file) or source: (a built-in)");
  if (YAML::Node m = root["mapping"]; m.IsDefined()) {
    KEEL_ASSIGN_OR_RETURN(std::string path, text_of(m, "mapping"));
    mapping = LoadMappingFile((dir / path).generic_string(), compiler, schemas);
  } else if (YAML::Node s = root["source"]; s.IsDefined()) {
    KEEL_ASSIGN_OR_RETURN(std::string source, text_of(s, "source"));
    mapping = LoadBuiltinMapping(source, compiler, schemas);
  }
  if (!mapping.ok()) return mapping.status();
  MapOptions options;
  options.schemas = schemas;
  options.default_workspace = "test";
  if (YAML::Node w = root["workspace"]; w.IsDefined()) {
    KEEL_ASSIGN_OR_RETURN(options.workspace, text_of(w, "workspace"));
  }
  std::string endpoint = mapping->name;
  if (YAML::Node e = root["endpoint"]; e.IsDefined()) {
    KEEL_ASSIGN_OR_RETURN(endpoint, text_of(e, "endpoint"));
  }
  std::shared_ptr<PeopleFile> people;
  if (YAML::Node p = root["people"]; p.IsDefined()) {
    KEEL_ASSIGN_OR_RETURN(std::string path, text_of(p, "people"));
    KEEL_ASSIGN_OR_RETURN(PeopleFile loaded, PeopleFile::LoadFile((dir / path).generic_string()));
    people = std::make_shared<PeopleFile>(std::move(loaded));
  }
  options.people = [people](std::string_view) -> const PeopleDirectory* { return people.get(); };

  YAML::Node tests = root["tests"];
  if (!tests.IsSequence() || tests.size() == 0) return fail(root, "tests: expected a list of tests");
  std::unique_ptr<ExpressionScope> scope = compiler.NewScope();
  std::vector<MappingTestResult> results;
  for (size_t i = 0; i < tests.size(); ++i) {
    const YAML::Node& test = tests[i];
    if (!test.IsMap()) return fail(test, "a test is a mapping (name, payload, headers, expect)");
    for (auto it = test.begin(); it != test.end(); ++it) {
      if (kTestKeys.count(it->first.Scalar()) == 0) {
        return fail(it->first, "unknown key '" + it->first.Scalar() +
                                   "' (known: name, payload, headers, expect, expect_ignored, expect_refused)");
      }
    }
    MappingTestResult result;
    result.file = name;
    result.line = PlaceOf(test).line;
    result.name = "test " + std::to_string(i + 1);
    if (YAML::Node n = test["name"]; n.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(result.name, text_of(n, "name"));
    }
    YAML::Node payload = test["payload"];
    if (!payload.IsDefined()) return fail(test, "missing key 'payload' (the body's file, relative to this file)");
    KEEL_ASSIGN_OR_RETURN(std::string payload_path, text_of(payload, "payload"));
    Result<std::string> body = ReadTestInput(dir / payload_path, "payload");
    if (!body.ok()) return fail(payload, body.status().message());
    Delivery delivery;
    delivery.endpoint = endpoint;
    delivery.body = *body;
    if (YAML::Node h = test["headers"]; h.IsDefined()) {
      if (!h.IsMap()) return fail(h, "headers: expected a mapping of name: value");
      for (auto it = h.begin(); it != h.end(); ++it) {
        delivery.headers.emplace_back(it->first.Scalar(), it->second.IsScalar() ? it->second.Scalar() : "");
      }
    }
    LowerCaseHeaders(&delivery.headers);
    MappingOutcome out = MapDelivery(*mapping, delivery, options, *scope);
    result.events = out.events.size();
    YAML::Node expect = test["expect"], ignored = test["expect_ignored"], refused = test["expect_refused"];
    int given = expect.IsDefined() + ignored.IsDefined() + refused.IsDefined();
    if (given != 1) return fail(test, "give one of expect:, expect_ignored: or expect_refused:");
    auto expect_reason = [&](MappingOutcome::Kind kind, const YAML::Node& node, const char* what) -> Status {
      if (out.kind != kind) {
        result.failures.push_back(std::string("expected the delivery ") + what + ", got " +
                                  std::string(OutcomeKindName(out.kind)) +
                                  (out.reason.empty() ? "" : ": " + out.reason));
        return Status::OK();
      }
      if (node.IsScalar() && IsTextScalar(node) && out.reason.find(node.Scalar()) == std::string::npos) {
        result.failures.push_back(std::string("reason: expected it to contain '") + node.Scalar() + "', got '" +
                                  out.reason + "'");
      }
      return Status::OK();
    };
    if (ignored.IsDefined()) KEEL_RETURN_IF_ERROR(expect_reason(MappingOutcome::Kind::kIgnored, ignored, "ignored"));
    if (refused.IsDefined()) KEEL_RETURN_IF_ERROR(expect_reason(MappingOutcome::Kind::kRefused, refused, "refused"));
    if (expect.IsDefined()) {
      if (!expect.IsSequence()) return fail(expect, "expect: expected a list of events (partial matches)");
      if (out.kind != MappingOutcome::Kind::kEvents) {
        result.failures.push_back("expected events, got " + std::string(OutcomeKindName(out.kind)) + ": " + out.reason);
      } else {
        nlohmann::json expected = YamlToJson(expect);
        if (expected.size() != out.events.size()) {
          result.failures.push_back("expected " + std::to_string(expected.size()) + " events, got " +
                                    std::to_string(out.events.size()));
        }
        for (size_t k = 0; k < std::min(expected.size(), out.events.size()); ++k) {
          nlohmann::json actual = nlohmann::json::parse(out.events[k].dump());
          PartialMatch(expected[k], actual, "event " + std::to_string(k + 1), &result.failures);
        }
      }
    }
    result.passed = result.failures.empty();
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace keel::webhooks
