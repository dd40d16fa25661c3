#include "engine/schema/schema_node.h"

namespace keel::schema {

void SetCheckGroups(SchemaNode* node) {
  node->has_length_checks = node->min_length > 0 || node->max_length != kNoLimit;
  node->has_string_checks = node->has_length_checks || node->pattern || node->forbidden_pattern ||
                            node->format != Format::kNone;
  node->has_number_checks = node->minimum || node->maximum || node->exclusive_minimum ||
                            node->exclusive_maximum;
  node->has_object_checks = !node->properties.empty() || !node->pattern_properties.empty() ||
                            node->additional_properties || node->property_names ||
                            node->min_properties > 0 || node->max_properties != kNoLimit;
  node->has_array_checks = node->items || node->min_items > 0 || node->max_items != kNoLimit ||
                           node->unique_items;
  node->has_member_catch_all = node->property_names || !node->pattern_properties.empty() ||
                               node->additional_properties;
  node->has_combinators = !node->all_of.empty() || !node->any_of.empty() || !node->one_of.empty() ||
                          node->negated;
}

}  // namespace keel::schema
