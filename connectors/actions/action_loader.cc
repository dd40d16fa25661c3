// LoadActionMapping: an action mapping file read, checked and compiled once,
// with connectors/webhooks' reader. The first problem found is the error,
// placed in the file.
#include <fstream>
#include <sstream>

#include "connectors/actions/action_mapping.h"
#include "connectors/webhooks/mapping_reader.h"
#include "connectors/webhooks/mapping_yaml.h"
#include "engine/schema/schema_registry.h"
#include "engine/yaml_load.h"

namespace keel::actions {
namespace {

using webhooks::Describe;
using webhooks::KeySet;
using webhooks::PlaceOf;

// At most this many cases and answers per case: far more than any tool needs.
constexpr size_t kMaxEntries = 1000;

const KeySet kTopKeys = {"action", "description", "let", "cases", "otherwise"};
const KeySet kCaseKeys = {"name", "if", "find", "request", "ok", "answer", "ignore"};
const KeySet kRequestKeys = {"method", "url", "headers", "body"};
const KeySet kFindKeys = {"method", "url", "headers", "body", "found", "answer"};
const KeySet kAnswerKeys = {"if", "type", "subject", "data"};
const KeySet kOtherwiseKeys = {"ignore"};

class Loader : public webhooks::MappingReader {
 public:
  Loader(std::string_view file, std::string_view text, const ExpressionCompiler& compiler, const SchemaRegistry* types)
      : MappingReader(file, text, compiler), text_(text), types_(types) {}

  Result<ActionMapping> Load() {
    YamlPlace where;
    Result<std::vector<YAML::Node>> documents = LoadYaml(text_, {}, &where);
    if (!documents.ok()) return YamlRefusal(file(), documents.status(), where);
    if (documents->size() != 1) return Status::InvalidArgument(file() + ": an action mapping file holds one YAML document");
    const YAML::Node& root = (*documents)[0];
    if (!root.IsMap()) return Fail(PlaceOf(root), "an action mapping file is a mapping (action:, cases:, ...)");
    KEEL_RETURN_IF_ERROR(CheckKeys(root, kTopKeys, "action mapping file"));
    ActionMapping mapping;
    mapping.file = file();
    KEEL_ASSIGN_OR_RETURN(mapping.name, RequiredText(root, "action"));
    if (YAML::Node d = root["description"]; d.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(mapping.description, Text(d, "description"));
    }
    std::vector<std::string> vars = {std::string(kEventVar), std::string(kVarsVar), std::string(kEntityVar)};
    if (YAML::Node lets = root["let"]; lets.IsDefined()) {
      KEEL_RETURN_IF_ERROR(ReadLets(lets, {std::string(kResponseVar)}, &vars, &mapping.lets));
    }
    YAML::Node cases = root["cases"];
    if (!cases.IsDefined()) return Fail(PlaceOf(root), "missing key 'cases'");
    if (!cases.IsSequence()) return Fail(PlaceOf(cases), "cases: expected a list, got " + Describe(cases));
    if (cases.size() > kMaxEntries) return Fail(PlaceOf(cases), "cases: more than 1000 cases");
    KeySet names;
    for (const YAML::Node& c : cases) {
      KEEL_ASSIGN_OR_RETURN(ActionCase one, ReadCase(c, vars));
      if (!names.insert(one.name).second) {
        return Fail(PlaceOf(c["name"]), "a second case named \"" + one.name + "\" (case names are unique)");
      }
      mapping.cases.push_back(std::move(one));
    }
    if (YAML::Node otherwise = root["otherwise"]; otherwise.IsDefined()) {
      if (!otherwise.IsMap()) return Fail(PlaceOf(otherwise), "otherwise: expected a mapping with ignore:");
      KEEL_RETURN_IF_ERROR(CheckKeys(otherwise, kOtherwiseKeys, "otherwise"));
      YAML::Node ignore = otherwise["ignore"];
      if (!ignore.IsDefined()) return Fail(PlaceOf(otherwise), "otherwise: missing key 'ignore' (the reason)");
      KEEL_ASSIGN_OR_RETURN(mapping.otherwise_ignore,
                            Compile(ignore, ExpressionForm::kTemplate, vars, "otherwise.ignore"));
    }
    return mapping;
  }

 private:
  Result<ActionCase> ReadCase(const YAML::Node& node, const std::vector<std::string>& vars) const {
    if (!node.IsMap()) return Fail(PlaceOf(node), "a case is a mapping (name, if, find, request, answer or ignore)");
    KEEL_RETURN_IF_ERROR(CheckKeys(node, kCaseKeys, "case"));
    ActionCase one;
    one.place = PlaceOf(node);
    KEEL_ASSIGN_OR_RETURN(one.name, RequiredText(node, "name"));
    std::string where = "case \"" + one.name + "\"";
    if (YAML::Node c = node["if"]; c.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(one.condition, Compile(c, ExpressionForm::kCel, vars, where + ", if"));
    }
    YAML::Node request = node["request"];
    YAML::Node ignore = node["ignore"];
    if (request.IsDefined() == ignore.IsDefined()) {
      return Fail(one.place, where + ": give either request: or ignore: (the reason)");
    }
    if (ignore.IsDefined()) {
      if (node["find"].IsDefined() || node["answer"].IsDefined() || node["ok"].IsDefined()) {
        return Fail(one.place, where + ": a case that ignores has no find:, ok: or answer:");
      }
      KEEL_ASSIGN_OR_RETURN(one.ignore, Compile(ignore, ExpressionForm::kTemplate, vars, where + ", ignore"));
      return one;
    }
    std::vector<std::string> with_response = vars;
    with_response.push_back(std::string(kResponseVar));
    if (YAML::Node find = node["find"]; find.IsDefined()) {
      if (!find.IsMap()) return Fail(PlaceOf(find), where + ", find: expected a mapping (method, url, found, ...)");
      KEEL_RETURN_IF_ERROR(CheckKeys(find, kFindKeys, "find"));
      FindSpec spec;
      KEEL_ASSIGN_OR_RETURN(spec.request, ReadRequest(find, vars, where + ", find"));
      YAML::Node found = find["found"];
      if (!found.IsDefined()) return Fail(PlaceOf(find), where + ", find: missing key 'found' (CEL over response)");
      KEEL_ASSIGN_OR_RETURN(spec.found, Compile(found, ExpressionForm::kCel, with_response, where + ", find.found"));
      if (YAML::Node answer = find["answer"]; answer.IsDefined()) {
        KEEL_ASSIGN_OR_RETURN(spec.answer, ReadAnswers(answer, with_response, where + ", find.answer"));
      }
      one.find = std::move(spec);
    }
    if (!request.IsMap()) return Fail(PlaceOf(request), where + ", request: expected a mapping (method, url, ...)");
    KEEL_RETURN_IF_ERROR(CheckKeys(request, kRequestKeys, "request"));
    KEEL_ASSIGN_OR_RETURN(one.request, ReadRequest(request, vars, where + ", request"));
    if (YAML::Node ok = node["ok"]; ok.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(one.ok, Compile(ok, ExpressionForm::kCel, with_response, where + ", ok"));
    }
    if (YAML::Node answer = node["answer"]; answer.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(one.answer, ReadAnswers(answer, with_response, where + ", answer"));
    }
    return one;
  }

  Result<RequestSpec> ReadRequest(const YAML::Node& node, const std::vector<std::string>& vars,
                                  const std::string& where) const {
    RequestSpec spec;
    spec.place = PlaceOf(node);
    for (const char* key : {"method", "url"}) {
      YAML::Node value = node[key];
      if (!value.IsDefined()) return Fail(spec.place, where + ": missing key '" + key + "'");
      KEEL_ASSIGN_OR_RETURN(CompiledExpression compiled,
                            Compile(value, ExpressionForm::kTemplate, vars, where + "." + key));
      (std::string_view(key) == "method" ? spec.method : spec.url) = std::move(compiled);
    }
    if (const std::optional<nlohmann::json>& method = spec.method->constant(); method) {
      static const KeySet kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
      if (!method->is_string() || kMethods.count(method->get<std::string>()) == 0) {
        return Fail(PlaceOf(node["method"]), where + ".method: " + method->dump() +
                                                 " is not GET, POST, PUT, PATCH or DELETE");
      }
    }
    if (YAML::Node headers = node["headers"]; headers.IsDefined()) {
      if (!headers.IsMap()) return Fail(PlaceOf(headers), where + ".headers: expected a mapping of name: template");
      for (auto it = headers.begin(); it != headers.end(); ++it) {
        std::string name = it->first.Scalar();
        if (!IsHeaderName(name)) return Fail(PlaceOf(it->first), where + ".headers: '" + name + "' is not a header name");
        KEEL_ASSIGN_OR_RETURN(CompiledExpression value,
                              Compile(it->second, ExpressionForm::kTemplate, vars, where + ".headers." + name));
        spec.headers.emplace_back(std::move(name), std::move(value));
      }
    }
    if (YAML::Node body = node["body"]; body.IsDefined() && !body.IsNull()) {
      KEEL_ASSIGN_OR_RETURN(spec.body, ReadData(body, vars, where + ".body"));
      spec.has_body = true;
    }
    return spec;
  }

  static bool IsHeaderName(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
      bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      if (!token) return false;
    }
    return true;
  }

  Result<std::vector<AnswerSpec>> ReadAnswers(const YAML::Node& node, const std::vector<std::string>& vars,
                                              const std::string& where) const {
    if (!node.IsSequence()) return Fail(PlaceOf(node), where + ": expected a list of events, got " + Describe(node));
    if (node.size() > kMaxEntries) return Fail(PlaceOf(node), where + ": more than 1000 events");
    std::vector<AnswerSpec> answers;
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node& item = node[i];
      std::string at = where + " " + std::to_string(i + 1);
      if (!item.IsMap()) return Fail(PlaceOf(item), at + ": expected a mapping (type, subject, data)");
      KEEL_RETURN_IF_ERROR(CheckKeys(item, kAnswerKeys, "answer"));
      AnswerSpec answer;
      answer.place = PlaceOf(item);
      if (YAML::Node c = item["if"]; c.IsDefined()) {
        KEEL_ASSIGN_OR_RETURN(answer.condition, Compile(c, ExpressionForm::kCel, vars, at + ", if"));
      }
      for (const char* key : {"type", "subject"}) {
        YAML::Node value = item[key];
        if (!value.IsDefined()) return Fail(answer.place, at + ": missing key '" + key + "'");
        KEEL_ASSIGN_OR_RETURN(CompiledExpression compiled,
                              Compile(value, ExpressionForm::kTemplate, vars, at + ", " + key));
        (std::string_view(key) == "type" ? answer.type : answer.subject) = std::move(compiled);
      }
      if (const std::optional<nlohmann::json>& type = answer.type->constant(); type && types_ != nullptr) {
        if (!type->is_string() || !types_->HasType(type->get<std::string>())) {
          return Fail(PlaceOf(item["type"]), at + ", type: unknown event type " + type->dump() +
                                                 " (schemas/events/ has one schema per type)");
        }
      }
      if (YAML::Node data = item["data"]; data.IsDefined() && !data.IsNull()) {
        if (!data.IsMap()) return Fail(PlaceOf(data), at + ", data: expected a mapping, got " + Describe(data));
        KEEL_ASSIGN_OR_RETURN(answer.data, ReadData(data, vars, at + ", data"));
        answer.has_data = true;
      }
      answers.push_back(std::move(answer));
    }
    return answers;
  }

  std::string_view text_;
  const SchemaRegistry* types_;
};

}  // namespace

bool LooksLikeActionMapping(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (line.starts_with("action:")) return true;
    if (line.starts_with("mapping:")) return false;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return false;
}

bool IsActionMappingFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return LooksLikeActionMapping(head);
}

Result<ActionMapping> LoadActionMapping(std::string_view file_name, std::string_view text,
                                        const ExpressionCompiler& compiler, const SchemaRegistry* types) {
  return Loader(file_name, text, compiler, types).Load();
}

Result<ActionMapping> LoadActionMappingFile(const std::string& path, const ExpressionCompiler& compiler,
                                            const SchemaRegistry* types) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot read the action mapping file");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 4 * 1024 * 1024) return Status::InvalidArgument(path + ": a mapping file is at most 4 MiB");
  return LoadActionMapping(path, text.str(), compiler, types);
}

}  // namespace keel::actions
