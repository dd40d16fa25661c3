// SchemaCompiler: turns draft-07 schema documents into SchemaNodes. It
// refuses any keyword it does not implement, naming the file and keyword, so
// a compiled schema never silently drops a constraint.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/schema/schema_location.h"
#include "engine/schema/schema_node.h"
#include "engine/schema/schema_store.h"
#include "engine/status.h"

namespace keel::schema {

class SchemaCompiler {
 public:
  explicit SchemaCompiler(SchemaStore* store) : store_(store) {}

  // Compiles the document at `file` (its root and all its definitions) and
  // returns its root node.
  Result<const SchemaNode*> CompileFile(const std::string& file);

 private:
  Result<const SchemaNode*> CompileAt(const SchemaLocation& location);
  Result<const SchemaNode*> CompileSchema(const SchemaLocation& location, const nlohmann::json& schema);
  Result<const SchemaNode*> CompileRef(const SchemaLocation& location, const nlohmann::json& schema);
  Status CompileKeywords(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Status CompileAnnotations(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Status CompileDefinitions(const SchemaLocation& location, const nlohmann::json& schema);
  Status CompileTypeAndValues(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Status CompileStringKeywords(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Status CompileNumberKeywords(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Status CompileObjectKeywords(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Status CompileProperties(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Status CompilePatternProperties(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Status CompileArrayKeywords(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Status CompileCombinators(const SchemaLocation& location, const nlohmann::json& schema, SchemaNode* node);
  Result<std::vector<const SchemaNode*>> CompileSchemaList(const SchemaLocation& location,
                                                           const nlohmann::json& list);
  // The subschema under `keyword` of `schema`, compiled, or nullptr when absent.
  Result<const SchemaNode*> CompileChild(const SchemaLocation& location, const nlohmann::json& schema,
                                         std::string_view keyword);

  SchemaStore* store_;
  std::set<std::string> refs_in_progress_;  // to refuse $ref cycles that never reach a schema
};

}  // namespace keel::schema
