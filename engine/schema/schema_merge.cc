#include "engine/schema/schema_merge.h"

#include <algorithm>

#include "engine/schema/schema_compiler.h"

namespace keel::schema {
namespace {

// A node that checks nothing of its own besides `allOf`.
bool OnlyAllOf(const SchemaNode& node) {
  return !node.always_invalid && node.types == kAnyTypeBits && !node.has_enum && !node.has_string_checks &&
         !node.has_number_checks && !node.has_object_checks && !node.has_array_checks && node.any_of.empty() &&
         node.one_of.empty() && !node.negated;
}

// A node made only of `properties` (no required, no rule for other members),
// each naming an attribute the envelope declares.
bool OnlyDeclaredProperties(const SchemaNode& part, const SchemaNode& envelope) {
  bool shape = !part.always_invalid && part.types == kAnyTypeBits && !part.has_enum && !part.has_string_checks &&
               !part.has_number_checks && !part.has_array_checks && !part.has_combinators &&
               part.pattern_properties.empty() && !part.additional_properties && !part.property_names &&
               part.min_properties == 0 && part.max_properties == kNoLimit;
  if (!shape) return false;
  return std::all_of(part.properties.begin(), part.properties.end(), [&](const PropertyRule& rule) {
    int index = envelope.FindProperty(rule.name);
    return rule.declared && rule.schema && !rule.required && index >= 0 && envelope.properties[index].declared;
  });
}

}  // namespace

const SchemaNode* WithoutEnvelope(const SchemaNode& type_root, const SchemaNode& envelope, SchemaStore* store) {
  if (&type_root == &envelope) return store->NewNode("(the envelope, already checked)");
  auto found = std::find(type_root.all_of.begin(), type_root.all_of.end(), &envelope);
  if (found == type_root.all_of.end()) return &type_root;
  SchemaNode* copy = store->CopyNode(type_root);
  copy->all_of.erase(copy->all_of.begin() + (found - type_root.all_of.begin()));
  SetCheckGroups(copy);
  return copy;
}

const SchemaNode* MergeIntoEnvelope(const SchemaNode& envelope, const SchemaNode& rest, SchemaStore* store) {
  if (!OnlyAllOf(rest)) return nullptr;
  for (const SchemaNode* part : rest.all_of) {
    if (!OnlyDeclaredProperties(*part, envelope)) return nullptr;
  }
  SchemaNode* merged = store->CopyNode(envelope);
  merged->location = envelope.location + " + " + rest.location;
  for (const SchemaNode* part : rest.all_of) {
    for (const PropertyRule& rule : part->properties) {
      PropertyRule& target = merged->properties[merged->FindProperty(rule.name)];
      SchemaNode* both = store->NewNode(merged->location + " " + rule.name);
      if (target.schema) both->all_of.push_back(target.schema);
      both->all_of.push_back(rule.schema);
      SetCheckGroups(both);
      target.schema = both;
    }
  }
  return merged;
}

}  // namespace keel::schema
