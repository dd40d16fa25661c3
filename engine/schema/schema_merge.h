// How the registry runs an event type's schema after the envelope: the two
// transformations here are exact, so the validator accepts precisely what the
// schema files say, only with less work.
#pragma once

#include "engine/schema/schema_node.h"
#include "engine/schema/schema_store.h"

namespace keel::schema {

// The type's schema as it needs checking right after the envelope: with the
// envelope dropped from its allOf (Validate has just checked exactly that).
const SchemaNode* WithoutEnvelope(const SchemaNode& type_root, const SchemaNode& envelope,
                                  SchemaStore* store);

// One node that accepts exactly what `envelope` and `rest` (a WithoutEnvelope
// result) both accept, so a valid event is checked in one pass over its
// members: the envelope's rules with each of the type's property rules added
// to the envelope's rule for the same attribute. nullptr when `rest` is not
// made only of property rules for attributes the envelope declares (then
// Validate runs the two in turn).
const SchemaNode* MergeIntoEnvelope(const SchemaNode& envelope, const SchemaNode& rest, SchemaStore* store);

}  // namespace keel::schema
