// SchemaRegistry: the event language. It loads the JSON Schemas (draft-07) of
// schemas/, compiles them once into a tree of checks, and validates parsed
// events against that tree directly: no generic schema interpreter and no
// allocation on the hot path when the event is valid.
//
// Supported keywords: $schema $id $ref definitions title description type enum
// const required properties patternProperties additionalProperties
// propertyNames minProperties maxProperties items (one schema) minItems
// maxItems uniqueItems minLength maxLength pattern format (date-time, date)
// minimum maximum exclusiveMinimum exclusiveMaximum allOf anyOf oneOf not.
// Loading a schema that uses anything else fails, naming the file and the
// keyword, so that no constraint is ever silently ignored.
//
// $ref resolves relative to the file that holds it ("#/definitions/x",
// "../entity.schema.json#/definitions/status"); $id is an annotation only.
//
// Thread safety: Validate, HasType and Types are const and safe to call from
// several threads at once. AddType must not run concurrently with any call.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <simdjson.h>

#include "engine/json_time.h"  // ParseRfc3339Micros
#include "engine/status.h"

namespace keel {

namespace schema {
struct SchemaNode;
class SchemaStore;
}  // namespace schema

class SchemaRegistry {
 public:
  ~SchemaRegistry();
  SchemaRegistry(const SchemaRegistry&) = delete;
  SchemaRegistry& operator=(const SchemaRegistry&) = delete;

  // Schemas embedded in the binary at build time (engine/schema/embed_schemas.cmake),
  // so `keel` works from any folder.
  static Result<std::unique_ptr<SchemaRegistry>> LoadEmbedded();
  // Schemas from a folder laid out as schemas/ is: cloudevent.schema.json,
  // events/<type>.schema.json, and the files they refer to.
  static Result<std::unique_ptr<SchemaRegistry>> LoadFromDirectory(const std::filesystem::path& dir);
  // Same, from files held in memory: path relative to the folder -> contents.
  static Result<std::unique_ptr<SchemaRegistry>> LoadFromFiles(std::map<std::string, std::string> files);

  bool HasType(std::string_view type) const;
  std::vector<std::string> Types() const;  // sorted

  // Validates a whole event: the envelope first; then "unknown event type
  // 'x'" if the type has no schema; then the type's schema. Failures are
  // InvalidArgument with a message that names the JSON path, for example
  // "data.to: expected string, got number".
  Status Validate(simdjson::dom::element event) const;

  // Validates an entity state object against entity.schema.json (for tests
  // and `keel verify`-style checks; not on the ingest path).
  Status ValidateEntityState(simdjson::dom::element state) const;

  // Registers an extra event type (custom types declared by rule sets).
  // `schema` is a draft-07 schema of the whole event; its $refs resolve as if
  // it were events/<type>.schema.json. Fails if the type exists already.
  Status AddType(std::string type, const nlohmann::json& schema);

 private:
  struct TypeNameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>()(name); }
  };
  // An event type's schema, in the forms Validate uses.
  struct TypeSchema {
    const schema::SchemaNode* rest = nullptr;   // what remains to check after the envelope
    const schema::SchemaNode* whole = nullptr;  // envelope and rest in one node, or nullptr
  };
  using TypeMap = std::unordered_map<std::string, TypeSchema, TypeNameHash, std::equal_to<>>;

  SchemaRegistry();
  Status Compile();
  Status CompileType(const std::string& path);
  // The error for an event that the single pass refused, or that could not take it.
  Status Explain(simdjson::dom::element event) const;

  std::unique_ptr<schema::SchemaStore> store_;
  const schema::SchemaNode* envelope_ = nullptr;
  const schema::SchemaNode* entity_state_ = nullptr;  // nullptr without entity.schema.json
  TypeMap types_;
};

}  // namespace keel
