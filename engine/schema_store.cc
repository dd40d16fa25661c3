#include "engine/schema_store.h"

#include "engine/schema_check.h"

namespace keel::schema {

std::vector<std::string> SchemaStore::FilePaths() const {
  std::vector<std::string> paths;
  for (const auto& [path, text] : texts_) paths.push_back(path);
  return paths;
}

Result<const nlohmann::json*> SchemaStore::Document(const std::string& path) {
  auto parsed = documents_.find(path);
  if (parsed != documents_.end()) return &parsed->second;
  auto text = texts_.find(path);
  if (text == texts_.end()) return Status::NotFound(path + ": no such schema file");
  try {
    return &documents_.emplace(path, nlohmann::json::parse(text->second)).first->second;
  } catch (const nlohmann::json::exception& error) {
    return Status::InvalidArgument(path + ": not valid JSON: " + error.what());
  }
}

void SchemaStore::AddDocument(const std::string& path, nlohmann::json document) {
  documents_[path] = std::move(document);
}

void SchemaStore::ForgetDocument(const std::string& path) {
  documents_.erase(path);
  texts_.erase(path);
  std::string prefix = path + "#";
  for (auto it = by_location_.lower_bound(prefix); it != by_location_.end() && it->first.starts_with(prefix);) {
    it = by_location_.erase(it);
  }
}

SchemaNode* SchemaStore::NewNode(std::string location) {
  SchemaNode& node = nodes_.emplace_back();
  node.location = std::move(location);
  return &node;
}

const SchemaNode* SchemaStore::Cached(const std::string& location) const {
  auto found = by_location_.find(location);
  return found == by_location_.end() ? nullptr : found->second;
}

void SchemaStore::FinishNodes() {
  for (SchemaNode& node : nodes_) {
    if (!node.property_names) continue;
    for (PropertyRule& rule : node.properties) {
      // A name is a constant: if it passes once, it always does.
      rule.name_needs_check = !SchemaChecker().Check(*node.property_names, CheckedValue::Name(rule.name));
    }
  }
}

}  // namespace keel::schema
