// Running action mapping tests: each test runs one event through the test
// file's action mapping and compares the request it builds, and the answer
// events made of the given response, with what the test expects.
#include "connectors/actions/action_tests.h"

#include <map>
#include <memory>

#include "connectors/actions/action_run.h"
#include "connectors/actions/builtin_actions.h"
#include "connectors/webhooks/mapping_yaml.h"
#include "connectors/webhooks/people.h"
#include "engine/schema/event_decoder.h"
#include "engine/schema/schema_registry.h"
#include "engine/yaml_load.h"

namespace keel::actions {
namespace {

using webhooks::AtPlace;
using webhooks::Describe;
using webhooks::IsTextScalar;
using webhooks::MappingTestResult;
using webhooks::PartialMatch;
using webhooks::PlaceOf;
using webhooks::ScalarJson;

const std::set<std::string, std::less<>> kFileKeys = {"action", "action_mapping", "sink", "vars", "people", "tests"};
const std::set<std::string, std::less<>> kTestKeys = {
    "name",         "event",          "entity",         "find_response", "response",     "expect_find",
    "expect_request", "expect_answer", "expect_ignored", "expect_refused", "expect_found", "expect_failed"};
const std::set<std::string, std::less<>> kRequestKeys = {"method", "url", "headers", "body", "body_exact"};
const std::set<std::string, std::less<>> kResponseKeys = {"status", "headers", "body"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class TestFile {
 public:
  TestFile(std::filesystem::path file, const ExpressionCompiler& compiler, const SchemaRegistry* schemas)
      : file_(std::move(file)), name_(file_.generic_string()), compiler_(compiler), schemas_(schemas) {}

  Result<std::vector<MappingTestResult>> Run() {
    KEEL_ASSIGN_OR_RETURN(std::string text, webhooks::ReadTestInput(file_, "test file"));
    YamlPlace where;
    Result<std::vector<YAML::Node>> documents = LoadYaml(text, {}, &where);
    if (!documents.ok()) return YamlRefusal(name_, documents.status(), where);
    if (documents->size() != 1 || !(*documents)[0].IsMap()) {
      return Status::InvalidArgument(name_ + ": an action mapping test file is one mapping (action: or action_mapping:, tests:)");
    }
    const YAML::Node& root = (*documents)[0];
    KEEL_RETURN_IF_ERROR(CheckKeys(root, kFileKeys));
    KEEL_RETURN_IF_ERROR(LoadSetup(root));
    YAML::Node tests = root["tests"];
    if (!tests.IsSequence() || tests.size() == 0) return Fail(root, "tests: expected a list of tests");
    scope_ = compiler_.NewScope();
    std::vector<MappingTestResult> results;
    for (size_t i = 0; i < tests.size(); ++i) {
      KEEL_ASSIGN_OR_RETURN(MappingTestResult result, RunTest(tests[i], i));
      results.push_back(std::move(result));
    }
    return results;
  }

 private:
  Status Fail(const YAML::Node& node, const std::string& message) const {
    return Status::InvalidArgument(AtPlace(name_, PlaceOf(node), message));
  }
  Status CheckKeys(const YAML::Node& map, const std::set<std::string, std::less<>>& known) const {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (known.count(it->first.Scalar()) == 0) {
        std::string list;
        for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
        return Fail(it->first, "unknown key '" + it->first.Scalar() + "' (known: " + list + ")");
      }
    }
    return Status::OK();
  }
  Result<std::string> TextOf(const YAML::Node& node, const char* key) const {
    if (!IsTextScalar(node)) return Fail(node, std::string(key) + ": expected text, got " + Describe(node));
    return node.Scalar();
  }

  Status LoadSetup(const YAML::Node& root) {
    std::filesystem::path dir = file_.parent_path();
    Result<ActionMapping> mapping = Fail(root, "give action: (a built-in) or action_mapping: (a file)");
    if (YAML::Node m = root["action_mapping"]; m.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(std::string path, TextOf(m, "action_mapping"));
      mapping = LoadActionMappingFile((dir / path).generic_string(), compiler_, schemas_);
    } else if (YAML::Node a = root["action"]; a.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(std::string name, TextOf(a, "action"));
      mapping = LoadBuiltinAction(name, compiler_, schemas_);
    }
    if (!mapping.ok()) return mapping.status();
    mapping_ = std::move(*mapping);
    sink_ = mapping_.name;
    if (YAML::Node s = root["sink"]; s.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(sink_, TextOf(s, "sink"));
    }
    if (YAML::Node v = root["vars"]; v.IsDefined()) {
      if (!v.IsMap()) return Fail(v, "vars: expected a mapping of name: text");
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it->second.IsScalar()) return Fail(it->second, "vars: each value is text");
        vars_[it->first.Scalar()] = it->second.Scalar();
      }
    }
    if (YAML::Node p = root["people"]; p.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(std::string path, TextOf(p, "people"));
      KEEL_ASSIGN_OR_RETURN(webhooks::PeopleFile loaded, webhooks::PeopleFile::LoadFile((dir / path).generic_string()));
      people_ = std::make_unique<webhooks::PeopleFile>(std::move(loaded));
    }
    return Status::OK();
  }

  Result<StoredEvent> EventOf(const YAML::Node& node) const {
    nlohmann::json event;
    if (IsTextScalar(node)) {
      Result<std::string> text = webhooks::ReadTestInput(file_.parent_path() / node.Scalar(), "event");
      if (!text.ok()) return Fail(node, text.status().message());
      event = nlohmann::json::parse(*text, nullptr, false);
      if (event.is_discarded()) return Fail(node, "event: " + node.Scalar() + " is not JSON");
    } else if (node.IsMap()) {
      event = webhooks::YamlToJson(node);
    } else {
      return Fail(node, "event: expected a CloudEvent (a mapping) or a JSON file's name");
    }
    if (schemas_ == nullptr) return Fail(node, "event: the test needs the event schemas");
    DecodeOptions options;
    options.time_window.days = 0;
    EventDecoder decoder(schemas_, options);
    std::string bytes = event.dump();
    Result<Event> decoded = event.contains("ruleid") ? decoder.DecodeDerived(bytes) : decoder.DecodeInput(bytes);
    if (!decoded.ok()) return Fail(node, "event: " + decoded.status().message());
    StoredEvent stored;
    stored.seq = 1;
    stored.event = std::move(*decoded);
    return stored;
  }

  Result<ActionResponse> ResponseOf(const YAML::Node& node, const char* key) const {
    if (!node.IsMap()) return Fail(node, std::string(key) + ": expected a mapping (status, headers, body)");
    KEEL_RETURN_IF_ERROR(CheckKeys(node, kResponseKeys));
    ActionResponse response;
    nlohmann::json status = ScalarJson(node["status"]);
    if (!status.is_number_integer()) return Fail(node, std::string(key) + ": status: expected an HTTP status");
    response.status = status.get<int>();
    if (YAML::Node h = node["headers"]; h.IsDefined()) {
      for (auto it = h.begin(); it != h.end(); ++it) response.headers.emplace_back(Lower(it->first.Scalar()), it->second.Scalar());
    }
    if (YAML::Node b = node["body"]; b.IsDefined()) {
      nlohmann::json body = webhooks::YamlToJson(b);
      response.body = body.is_string() ? body.get<std::string>() : body.dump();
    }
    return response;
  }

  // Compares a built request with the expected one; appends failures.
  Status CompareRequest(const YAML::Node& node, const ActionRequest& actual, const std::string& what,
                        std::vector<std::string>* failures) const {
    if (!node.IsMap()) return Fail(node, what + ": expected a mapping (method, url, headers, body)");
    KEEL_RETURN_IF_ERROR(CheckKeys(node, kRequestKeys));
    if (YAML::Node m = node["method"]; m.IsDefined() && m.Scalar() != actual.method) {
      failures->push_back(what + ".method: expected " + m.Scalar() + ", got " + actual.method);
    }
    if (YAML::Node u = node["url"]; u.IsDefined() && u.Scalar() != actual.url) {
      failures->push_back(what + ".url: expected " + u.Scalar() + ", got " + actual.url);
    }
    if (YAML::Node h = node["headers"]; h.IsDefined()) {
      for (auto it = h.begin(); it != h.end(); ++it) {
        std::string name = Lower(it->first.Scalar());
        const std::string* got = nullptr;
        for (const auto& [n, v] : actual.headers) {
          if (Lower(n) == name) got = &v;
        }
        if (got == nullptr) {
          failures->push_back(what + ".headers." + it->first.Scalar() + ": expected " + it->second.Scalar() + ", got nothing");
        } else if (*got != it->second.Scalar()) {
          failures->push_back(what + ".headers." + it->first.Scalar() + ": expected " + it->second.Scalar() + ", got " + *got);
        }
      }
    }
    YAML::Node body = node["body"], exact = node["body_exact"];
    if (body.IsDefined() || exact.IsDefined()) {
      nlohmann::json expected = webhooks::YamlToJson(exact.IsDefined() ? exact : body);
      nlohmann::json got = nlohmann::json::parse(actual.body, nullptr, false);
      if (got.is_discarded()) got = actual.body;
      if (exact.IsDefined()) {
        if (expected != got) failures->push_back(what + ".body: expected exactly " + expected.dump() + ", got " + got.dump());
      } else {
        PartialMatch(expected, got, what + ".body", failures);
      }
    }
    return Status::OK();
  }

  Result<MappingTestResult> RunTest(const YAML::Node& test, size_t index) {
    if (!test.IsMap()) return Fail(test, "a test is a mapping (name, event, expect_request, ...)");
    KEEL_RETURN_IF_ERROR(CheckKeys(test, kTestKeys));
    MappingTestResult result;
    result.file = name_;
    result.line = PlaceOf(test).line;
    result.name = "test " + std::to_string(index + 1);
    if (YAML::Node n = test["name"]; n.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(result.name, TextOf(n, "name"));
    }
    YAML::Node event_node = test["event"];
    if (!event_node.IsDefined()) return Fail(test, "missing key 'event' (a CloudEvent, or a JSON file's name)");
    KEEL_ASSIGN_OR_RETURN(StoredEvent event, EventOf(event_node));
    ActionInput input;
    input.event = &event;
    input.sink = sink_;
    input.vars = &vars_;
    input.entity = test["entity"].IsDefined() ? webhooks::YamlToJson(test["entity"]) : nlohmann::json(nullptr);
    input.people = people_.get();
    input.schemas = schemas_;

    YAML::Node ignored = test["expect_ignored"], refused = test["expect_refused"], request = test["expect_request"];
    YAML::Node found_node = test["expect_found"];
    if (ignored.IsDefined() + refused.IsDefined() + (request.IsDefined() || found_node.IsDefined()) != 1) {
      return Fail(test, "give one of expect_request: (or expect_found:), expect_ignored: or expect_refused:");
    }
    auto contains = [&](const YAML::Node& node, const std::string& reason) {
      if (IsTextScalar(node) && reason.find(node.Scalar()) == std::string::npos) {
        result.failures.push_back("reason: expected it to contain '" + node.Scalar() + "', got '" + reason + "'");
      }
    };
    Result<PreparedAction> prepared = PrepareAction(mapping_, input, *scope_);
    if (!prepared.ok()) {
      if (refused.IsDefined()) {
        contains(refused, prepared.status().message());
      } else {
        result.failures.push_back("expected the event to be acted on, got refused: " + prepared.status().message());
      }
      return Finish(std::move(result));
    }
    if (prepared->ignored) {
      if (ignored.IsDefined()) {
        contains(ignored, prepared->reason);
      } else {
        result.failures.push_back("expected a request, got ignored: " + prepared->reason);
      }
      return Finish(std::move(result));
    }
    if (!request.IsDefined() && !found_node.IsDefined()) {
      result.failures.push_back(std::string("expected the event ") + (ignored.IsDefined() ? "ignored" : "refused") +
                                ", got a request (case \"" + prepared->case_name + "\")");
      return Finish(std::move(result));
    }
    bool from_find = false;
    ActionResponse response;
    bool answered = false;
    if (prepared->find) {
      if (YAML::Node f = test["expect_find"]; f.IsDefined()) {
        KEEL_RETURN_IF_ERROR(CompareRequest(f, *prepared->find, "find", &result.failures));
      }
      YAML::Node fr = test["find_response"];
      if (!fr.IsDefined()) return Fail(test, "case \"" + prepared->case_name + "\" looks the item up first: give find_response:");
      KEEL_ASSIGN_OR_RETURN(ActionResponse find_response, ResponseOf(fr, "find_response"));
      Result<bool> found = Found(mapping_, *prepared, input, find_response, *scope_);
      if (!found.ok()) {
        result.failures.push_back("find: " + found.status().message());
        return Finish(std::move(result));
      }
      if (found_node.IsDefined() && ScalarJson(found_node) != nlohmann::json(*found)) {
        result.failures.push_back(std::string("expected found: ") + found_node.Scalar() + ", got " + (*found ? "true" : "false"));
      }
      if (*found) {
        from_find = true;
        response = std::move(find_response);
        answered = true;
        if (request.IsDefined()) result.failures.push_back("the find found the item: no request is sent");
      }
    } else if (test["find_response"].IsDefined() || test["expect_find"].IsDefined() || found_node.IsDefined()) {
      return Fail(test, "case \"" + prepared->case_name + "\" has no find:");
    }
    if (!from_find) {
      if (request.IsDefined()) KEEL_RETURN_IF_ERROR(CompareRequest(request, prepared->request, "request", &result.failures));
      if (YAML::Node r = test["response"]; r.IsDefined()) {
        KEEL_ASSIGN_OR_RETURN(response, ResponseOf(r, "response"));
        answered = response.status >= 200 && response.status < 300;
        if (answered) {
          Result<bool> ok = Succeeded(mapping_, *prepared, input, response, *scope_);
          if (!ok.ok()) {
            result.failures.push_back("ok: " + ok.status().message());
            return Finish(std::move(result));
          }
          answered = *ok;
        }
      }
      YAML::Node failed = test["expect_failed"];
      if (failed.IsDefined() && answered) result.failures.push_back("expected the response to count as a failure (ok:)");
      if (!failed.IsDefined() && test["response"].IsDefined() && !answered && response.status >= 200 &&
          response.status < 300) {
        result.failures.push_back("the response counts as a failure (the case's ok: is false)");
      }
    }
    nlohmann::json answers = nlohmann::json::array();
    if (answered) {
      Result<std::vector<nlohmann::json>> events = AnswerEvents(mapping_, *prepared, input, response, from_find, *scope_);
      if (!events.ok()) {
        result.failures.push_back("answer: " + events.status().message());
        return Finish(std::move(result));
      }
      for (nlohmann::json& e : *events) answers.push_back(std::move(e));
    }
    result.events = answers.size();
    if (YAML::Node expect = test["expect_answer"]; expect.IsDefined()) {
      if (!expect.IsSequence()) return Fail(expect, "expect_answer: expected a list of events (partial matches)");
      nlohmann::json expected = webhooks::YamlToJson(expect);
      if (expected.size() != answers.size()) {
        result.failures.push_back("expected " + std::to_string(expected.size()) + " answer events, got " +
                                  std::to_string(answers.size()));
      }
      for (size_t k = 0; k < std::min(expected.size(), answers.size()); ++k) {
        PartialMatch(expected[k], answers[k], "answer " + std::to_string(k + 1), &result.failures);
      }
    }
    return Finish(std::move(result));
  }

  static MappingTestResult Finish(MappingTestResult result) {
    result.passed = result.failures.empty();
    return result;
  }

  std::filesystem::path file_;
  std::string name_;
  const ExpressionCompiler& compiler_;
  const SchemaRegistry* schemas_;
  ActionMapping mapping_;
  std::string sink_;
  std::map<std::string, std::string> vars_;
  std::unique_ptr<webhooks::PeopleFile> people_;
  std::unique_ptr<ExpressionScope> scope_;
};

}  // namespace

bool IsActionTestText(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (line.starts_with("action:") || line.starts_with("action_mapping:")) return true;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return false;
}

bool IsActionTestFile(const std::filesystem::path& path) {
  Result<std::string> text = webhooks::ReadTestInput(path, "test file");
  return text.ok() && IsActionTestText(*text);
}

Result<std::vector<MappingTestResult>> RunActionTestFile(const std::filesystem::path& file,
                                                         const ExpressionCompiler& compiler,
                                                         const SchemaRegistry* schemas) {
  return TestFile(file, compiler, schemas).Run();
}

}  // namespace keel::actions
