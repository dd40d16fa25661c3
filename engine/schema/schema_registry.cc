#include "engine/schema/schema_registry.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/schema/embedded_schemas.h"
#include "engine/schema/schema_check.h"
#include "engine/schema/schema_compiler.h"
#include "engine/schema/schema_merge.h"
#include "engine/schema/schema_store.h"

namespace keel {
namespace {

constexpr std::string_view kEnvelopeFile = "cloudevent.schema.json";
constexpr std::string_view kEntityFile = "entity.schema.json";
constexpr std::string_view kEventsFolder = "events/";
constexpr std::string_view kSchemaSuffix = ".schema.json";

// The event type named by "events/<type>.schema.json", or "" for other files.
std::string_view TypeOfFile(std::string_view path) {
  if (!path.starts_with(kEventsFolder) || !path.ends_with(kSchemaSuffix)) return {};
  std::string_view type = path.substr(kEventsFolder.size(),
                                      path.size() - kEventsFolder.size() - kSchemaSuffix.size());
  return type.find('/') == std::string_view::npos ? type : std::string_view();
}

std::string FileOfType(std::string_view type) {
  return std::string(kEventsFolder) + std::string(type) + std::string(kSchemaSuffix);
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Status::IOError("cannot read " + path.string());
  return text.str();
}

Status InvalidEvent(const std::string& message) { return Status::InvalidArgument(message); }

}  // namespace

SchemaRegistry::SchemaRegistry() = default;
SchemaRegistry::~SchemaRegistry() = default;

Result<std::unique_ptr<SchemaRegistry>> SchemaRegistry::LoadEmbedded() {
  std::map<std::string, std::string> files;
  for (const EmbeddedFile& file : EmbeddedSchemaFiles()) {
    files.emplace(std::string(file.path), std::string(file.content));
  }
  return LoadFromFiles(std::move(files));
}

Result<std::unique_ptr<SchemaRegistry>> SchemaRegistry::LoadFromDirectory(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file() || it->path().extension() != ".json") continue;
    KEEL_ASSIGN_OR_RETURN(std::string text, ReadFile(it->path()));
    files.emplace(it->path().lexically_relative(dir).generic_string(), std::move(text));
  }
  if (error) return Status::IOError("cannot list " + dir.string() + ": " + error.message());
  return LoadFromFiles(std::move(files));
}

Result<std::unique_ptr<SchemaRegistry>> SchemaRegistry::LoadFromFiles(std::map<std::string, std::string> files) {
  std::unique_ptr<SchemaRegistry> registry(new SchemaRegistry());
  registry->store_ = std::make_unique<schema::SchemaStore>(std::move(files));
  KEEL_RETURN_IF_ERROR(registry->Compile());
  return registry;
}

Status SchemaRegistry::Compile() {
  if (!store_->HasFile(std::string(kEnvelopeFile))) {
    return Status::InvalidArgument("schemas: missing " + std::string(kEnvelopeFile));
  }
  schema::SchemaCompiler compiler(store_.get());
  KEEL_ASSIGN_OR_RETURN(envelope_, compiler.CompileFile(std::string(kEnvelopeFile)));
  if (store_->HasFile(std::string(kEntityFile))) {
    KEEL_ASSIGN_OR_RETURN(entity_state_, compiler.CompileFile(std::string(kEntityFile)));
  }
  for (const std::string& path : store_->FilePaths()) {
    if (!TypeOfFile(path).empty()) KEEL_RETURN_IF_ERROR(CompileType(path));
  }
  store_->FinishNodes();
  return Status::OK();
}

Status SchemaRegistry::CompileType(const std::string& path) {
  std::string type(TypeOfFile(path));
  // The envelope's own rule for `type` decides which type names are possible.
  for (const schema::PropertyRule& rule : envelope_->properties) {
    if (rule.name != "type" || !rule.schema) continue;
    if (!schema::SchemaChecker().CheckName(*rule.schema, type)) {
      return Status::InvalidArgument(path + ": '" + type + "' is not a valid event type name");
    }
  }
  schema::SchemaCompiler compiler(store_.get());
  KEEL_ASSIGN_OR_RETURN(const schema::SchemaNode* node, compiler.CompileFile(path));
  TypeSchema& compiled = types_[type];
  compiled.rest = schema::WithoutEnvelope(*node, *envelope_, store_.get());
  compiled.whole = schema::MergeIntoEnvelope(*envelope_, *compiled.rest, store_.get());
  return Status::OK();
}

bool SchemaRegistry::HasType(std::string_view type) const { return types_.find(type) != types_.end(); }

std::vector<std::string> SchemaRegistry::Types() const {
  std::vector<std::string> types;
  for (const auto& [type, node] : types_) types.push_back(type);
  std::sort(types.begin(), types.end());
  return types;
}

// A valid event of a known type costs one pass over its members; anything
// else takes the explaining route, which also says which rule failed.
Status SchemaRegistry::Validate(simdjson::dom::element event) const {
  std::string_view type;
  if (!event["type"].get(type)) {
    auto found = types_.find(type);
    if (found != types_.end() && found->second.whole && schema::Matches(*found->second.whole, event)) {
      return Status::OK();
    }
  }
  return Explain(event);
}

// The envelope first, then the type, then the type's own rules, as promised.
Status SchemaRegistry::Explain(simdjson::dom::element event) const {
  schema::SchemaChecker envelope_checker;
  if (!envelope_checker.Check(*envelope_, event)) return InvalidEvent(envelope_checker.error());
  std::string_view type;
  if (event["type"].get(type)) return InvalidEvent("missing required attribute 'type'");
  auto found = types_.find(type);
  if (found == types_.end()) return InvalidEvent("unknown event type '" + std::string(type) + "'");
  schema::SchemaChecker type_checker;
  if (!type_checker.Check(*found->second.rest, event)) return InvalidEvent(type_checker.error());
  return Status::OK();
}

Status SchemaRegistry::ValidateEntityState(simdjson::dom::element state) const {
  if (!entity_state_) return Status::FailedPrecondition("schemas: no " + std::string(kEntityFile));
  schema::SchemaChecker checker;
  if (!checker.Check(*entity_state_, state)) return InvalidEvent(checker.error());
  return Status::OK();
}

Status SchemaRegistry::AddType(std::string type, const nlohmann::json& schema) {
  if (HasType(type)) return Status::InvalidArgument("event type '" + type + "' is already defined");
  std::string path = FileOfType(type);
  if (TypeOfFile(path) != type || store_->HasFile(path)) {
    return Status::InvalidArgument("'" + type + "' is not a valid event type name");
  }
  store_->AddDocument(path, schema);
  Status compiled = CompileType(path);
  if (!compiled.ok()) {
    store_->ForgetDocument(path);
    return compiled;
  }
  store_->FinishNodes();
  return Status::OK();
}

}  // namespace keel
