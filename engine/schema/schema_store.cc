#include "engine/schema/schema_store.h"

#include "engine/schema/schema_check.h"

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

SchemaNode* SchemaStore::CopyNode(const SchemaNode& node) { return &nodes_.emplace_back(node); }

namespace {

// True when `node` checks nothing but a pattern (annotations aside).
bool IsPatternOnly(const SchemaNode& node) {
  return node.pattern && !node.always_invalid && node.types == kAnyTypeBits && !node.has_enum &&
         !node.has_length_checks && !node.forbidden_pattern && node.format == Format::kNone &&
         !node.has_number_checks && !node.has_object_checks && !node.has_array_checks && !node.has_combinators;
}

// `type: string` with `not: {pattern: P}` becomes a check in the string
// path: exact, since a non-string fails the type first, and it spares the
// hot path a nested schema (the event id's control-character rule).
void FoldForbiddenPattern(SchemaNode* node) {
  if (!node->negated || node->types != kStringBit || !IsPatternOnly(*node->negated)) return;
  node->forbidden_pattern = node->negated->pattern;
  node->forbidden_reason = &node->negated->description;
  node->negated = nullptr;
  SetCheckGroups(node);
}

}  // namespace

void SchemaStore::FinishNodes() {
  for (SchemaNode& node : nodes_) FoldForbiddenPattern(&node);
  for (SchemaNode& node : nodes_) {
    if (!node.property_names) continue;
    for (PropertyRule& rule : node.properties) {
      // A name is a constant: if it passes once, it always does.
      rule.name_needs_check = !SchemaChecker().CheckName(*node.property_names, rule.name);
    }
  }
}

}  // namespace keel::schema
