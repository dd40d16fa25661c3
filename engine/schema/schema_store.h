// SchemaStore: the schema files, their parsed documents and the compiled
// nodes, with compiled nodes looked up by location ("file#pointer") so that
// every $ref to one place shares one node.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema/schema_node.h"
#include "engine/status.h"

namespace keel::schema {

class SchemaStore {
 public:
  // `files`: path relative to the schema folder ("events/task.created.schema.json") -> text.
  explicit SchemaStore(std::map<std::string, std::string> files) : texts_(std::move(files)) {}

  std::vector<std::string> FilePaths() const;
  bool HasFile(const std::string& path) const { return texts_.count(path) || documents_.count(path); }

  // The parsed document at `path`, parsed on first use. The pointer stays
  // valid as long as the store.
  Result<const nlohmann::json*> Document(const std::string& path);
  void AddDocument(const std::string& path, nlohmann::json document);
  // Drops a document and the nodes cached for it, after it failed to compile.
  void ForgetDocument(const std::string& path);

  SchemaNode* NewNode(std::string location);
  // A copy of `node` that the caller may change (nodes are copyable: patterns are shared).
  SchemaNode* CopyNode(const SchemaNode& node);
  const SchemaNode* Cached(const std::string& location) const;
  void Cache(const std::string& location, const SchemaNode* node) { by_location_[location] = node; }

  // Work that needs every node complete (cycles through $ref are allowed):
  // folds `not: {pattern}` into string nodes, and marks the property names
  // that need no propertyNames check at run time.
  void FinishNodes();

 private:
  std::map<std::string, std::string> texts_;
  std::map<std::string, nlohmann::json> documents_;  // node-based: addresses are stable
  std::deque<SchemaNode> nodes_;                     // stable addresses too
  std::map<std::string, const SchemaNode*> by_location_;
};

}  // namespace keel::schema
