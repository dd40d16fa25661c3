// LoadMapping: a mapping file read, checked and compiled once. The first
// problem found is the error, placed in the file.
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "connectors/webhooks/mapping.h"
#include "connectors/webhooks/mapping_reader.h"
#include "connectors/webhooks/mapping_yaml.h"
#include "engine/schema/schema_registry.h"
#include "engine/yaml_load.h"

namespace keel::webhooks {
namespace {

// At most this many cases and events per case: far more than any tool needs.
constexpr size_t kMaxEntries = 1000;

const KeySet kTopKeys = {"mapping", "description", "signature", "delivery_id", "source",
                         "workspace",  "let",         "cases",     "otherwise"};
const KeySet kSignatureKeys = {"scheme", "header", "prefix"};
const KeySet kCaseKeys = {"name", "if", "events", "ignore"};
const KeySet kEventKeys = {"for_each", "if", "id", "type", "subject", "time", "actor", "data"};
const KeySet kOtherwiseKeys = {"ignore"};

class Loader : public MappingReader {
 public:
  Loader(std::string_view file, std::string_view text, const ExpressionCompiler& compiler, const SchemaRegistry* types)
      : MappingReader(file, text, compiler), file_(file), text_(text), types_(types) {}

  Result<Mapping> Load() {
    YamlPlace where;
    Result<std::vector<YAML::Node>> documents = LoadYaml(text_, {}, &where);
    if (!documents.ok()) return YamlRefusal(file_, documents.status(), where);
    if (documents->size() != 1) return Status::InvalidArgument(file_ + ": a mapping file holds one YAML document");
    const YAML::Node& root = (*documents)[0];
    if (!root.IsMap()) return Fail(PlaceOf(root), "a mapping file is a mapping (mapping:, source:, cases:, ...)");
    KEEL_RETURN_IF_ERROR(CheckKeys(root, kTopKeys, "mapping file"));
    Mapping mapping;
    mapping.file = file_;
    KEEL_ASSIGN_OR_RETURN(mapping.name, RequiredText(root, "mapping"));
    if (YAML::Node d = root["description"]; d.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(mapping.description, Text(d, "description"));
    }
    if (YAML::Node s = root["signature"]; s.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(mapping.signature, ReadSignature(s));
    }

    std::vector<std::string> base = {std::string(kHeadersVar), std::string(kBodyVar), std::string(kEndpointVar)};
    if (YAML::Node d = root["delivery_id"]; d.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(mapping.delivery_id, Compile(d, ExpressionForm::kCel, base, "delivery_id"));
    }
    if (YAML::Node w = root["workspace"]; w.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(mapping.workspace, Compile(w, ExpressionForm::kTemplate, base, "workspace"));
    }
    std::vector<std::string> vars = base;
    if (YAML::Node lets = root["let"]; lets.IsDefined()) {
      KEEL_RETURN_IF_ERROR(ReadLets(lets, {std::string(kItemVar), std::string(kIndexVar)}, &vars, &mapping.lets));
    }
    YAML::Node source = root["source"];
    if (!source.IsDefined()) return Fail(PlaceOf(root), "missing key 'source' (the events' CloudEvents source)");
    KEEL_ASSIGN_OR_RETURN(mapping.source, Compile(source, ExpressionForm::kTemplate, vars, "source"));

    YAML::Node cases = root["cases"];
    if (!cases.IsDefined()) return Fail(PlaceOf(root), "missing key 'cases'");
    if (!cases.IsSequence()) return Fail(PlaceOf(cases), "cases: expected a list, got " + Describe(cases));
    if (cases.size() > kMaxEntries) return Fail(PlaceOf(cases), "cases: more than 1000 cases");
    std::set<std::string, std::less<>> names;
    for (const YAML::Node& c : cases) {
      KEEL_ASSIGN_OR_RETURN(Case one, ReadCase(c, vars));
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
      KEEL_ASSIGN_OR_RETURN(mapping.otherwise_ignore, Compile(ignore, ExpressionForm::kTemplate, vars, "otherwise.ignore"));
    }
    mapping.body_selection = BodySelection(mapping);
    return mapping;
  }

 private:
  // Every expression of the mapping, the lets as aliases of what they select.
  std::shared_ptr<const JsonSelection> BodySelection(const Mapping& mapping) const {
    std::vector<const Expression*> all;
    auto add = [&all](const CompiledExpression& e) {
      if (e) all.push_back(e.get());
    };
    std::function<void(const DataNode&)> add_data = [&](const DataNode& node) {
      add(node.value);
      for (const DataNode& item : node.items) add_data(item);
    };
    add(mapping.delivery_id);
    add(mapping.source);
    add(mapping.workspace);
    add(mapping.otherwise_ignore);
    for (const Case& one : mapping.cases) {
      add(one.condition);
      add(one.ignore);
      for (const EventSpec& event : one.events) {
        for (const CompiledExpression* e : {&event.for_each, &event.condition, &event.id, &event.type,
                                            &event.subject, &event.time, &event.actor}) {
          add(*e);
        }
        add_data(event.data);
      }
    }
    std::vector<std::pair<std::string, const Expression*>> aliases;
    for (const Let& let : mapping.lets) aliases.emplace_back(let.name, let.value.get());
    return compiler().SelectionOf(kBodyVar, all, aliases);
  }

  Result<SignatureSpec> ReadSignature(const YAML::Node& node) const {
    if (!node.IsMap()) return Fail(PlaceOf(node), "signature: expected a mapping (scheme, header, prefix)");
    KEEL_RETURN_IF_ERROR(CheckKeys(node, kSignatureKeys, "signature"));
    SignatureSpec spec;
    KEEL_ASSIGN_OR_RETURN(spec.scheme, RequiredText(node, "scheme"));
    if (spec.scheme != "hmac-sha256" && spec.scheme != "token") {
      return Fail(PlaceOf(node["scheme"]), "signature.scheme: '" + spec.scheme + "' is not hmac-sha256 or token");
    }
    KEEL_ASSIGN_OR_RETURN(spec.header, RequiredText(node, "header"));
    if (YAML::Node p = node["prefix"]; p.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(spec.prefix, Text(p, "signature.prefix"));
    }
    return spec;
  }

  Result<Case> ReadCase(const YAML::Node& node, const std::vector<std::string>& vars) const {
    if (!node.IsMap()) return Fail(PlaceOf(node), "a case is a mapping (name, if, events or ignore)");
    KEEL_RETURN_IF_ERROR(CheckKeys(node, kCaseKeys, "case"));
    Case one;
    one.place = PlaceOf(node);
    KEEL_ASSIGN_OR_RETURN(one.name, RequiredText(node, "name"));
    std::string where = "case \"" + one.name + "\"";
    if (YAML::Node c = node["if"]; c.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(one.condition, Compile(c, ExpressionForm::kCel, vars, where + ", if"));
    }
    YAML::Node events = node["events"];
    YAML::Node ignore = node["ignore"];
    if (events.IsDefined() == ignore.IsDefined()) {
      return Fail(one.place, where + ": give either events: or ignore: (the reason)");
    }
    if (ignore.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(one.ignore, Compile(ignore, ExpressionForm::kTemplate, vars, where + ", ignore"));
      return one;
    }
    if (!events.IsSequence()) return Fail(PlaceOf(events), where + ", events: expected a list, got " + Describe(events));
    if (events.size() > kMaxEntries) return Fail(PlaceOf(events), where + ": more than 1000 events");
    for (size_t i = 0; i < events.size(); ++i) {
      KEEL_ASSIGN_OR_RETURN(EventSpec event, ReadEvent(events[i], vars, where + ", event " + std::to_string(i + 1)));
      one.events.push_back(std::move(event));
    }
    return one;
  }

  Result<EventSpec> ReadEvent(const YAML::Node& node, std::vector<std::string> vars, const std::string& where) const {
    if (!node.IsMap()) return Fail(PlaceOf(node), where + ": expected a mapping (type, subject, time, ...)");
    KEEL_RETURN_IF_ERROR(CheckKeys(node, kEventKeys, "event"));
    EventSpec event;
    event.place = PlaceOf(node);
    if (YAML::Node f = node["for_each"]; f.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(event.for_each, Compile(f, ExpressionForm::kCel, vars, where + ", for_each"));
      vars.push_back(std::string(kItemVar));
      vars.push_back(std::string(kIndexVar));
    }
    if (YAML::Node c = node["if"]; c.IsDefined()) {
      KEEL_ASSIGN_OR_RETURN(event.condition, Compile(c, ExpressionForm::kCel, vars, where + ", if"));
    }
    auto field = [&](const char* key, bool required, CompiledExpression* out) -> Status {
      YAML::Node value = node[key];
      if (!value.IsDefined()) {
        return required ? Fail(event.place, where + ": missing key '" + std::string(key) + "'") : Status::OK();
      }
      KEEL_ASSIGN_OR_RETURN(*out, Compile(value, ExpressionForm::kTemplate, vars, where + ", " + key));
      return Status::OK();
    };
    KEEL_RETURN_IF_ERROR(field("id", false, &event.id));
    KEEL_RETURN_IF_ERROR(field("type", true, &event.type));
    KEEL_RETURN_IF_ERROR(field("subject", true, &event.subject));
    KEEL_RETURN_IF_ERROR(field("time", true, &event.time));
    KEEL_RETURN_IF_ERROR(field("actor", false, &event.actor));
    if (const std::optional<nlohmann::json>& type = event.type->constant(); type && types_ != nullptr) {
      if (!type->is_string() || !types_->HasType(type->get<std::string>())) {
        return Fail(PlaceOf(node["type"]), where + ", type: unknown event type " + type->dump() +
                                               " (schemas/events/ has one schema per type)");
      }
    }
    if (YAML::Node data = node["data"]; data.IsDefined() && !data.IsNull()) {
      if (!data.IsMap()) return Fail(PlaceOf(data), where + ", data: expected a mapping, got " + Describe(data));
      KEEL_ASSIGN_OR_RETURN(event.data, ReadData(data, vars, where + ", data"));
      event.has_data = true;
    }
    return event;
  }

  std::string file_;
  std::string_view text_;
  const SchemaRegistry* types_;
};

}  // namespace

Result<Mapping> LoadMapping(std::string_view file_name, std::string_view text, const ExpressionCompiler& compiler,
                            const SchemaRegistry* types) {
  return Loader(file_name, text, compiler, types).Load();
}

Result<Mapping> LoadMappingFile(const std::string& path, const ExpressionCompiler& compiler, const SchemaRegistry* types) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot read the mapping file");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 4 * 1024 * 1024) return Status::InvalidArgument(path + ": a mapping file is at most 4 MiB");
  return LoadMapping(path, text.str(), compiler, types);
}

}  // namespace keel::webhooks
