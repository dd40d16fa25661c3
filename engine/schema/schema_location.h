// Places in the schema files, and the $refs that name them.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/status.h"

namespace keel::schema {

// A file of the schema folder ("events/task.created.schema.json") and a JSON
// pointer into it ("/allOf/1/properties/data"; "" for the document root).
struct SchemaLocation {
  std::string file;
  std::string pointer;

  SchemaLocation Child(std::string_view token) const;  // escapes '~' and '/'
  std::string ToString() const { return file + "#" + pointer; }
};

// Resolves a $ref written in `file`: "#/definitions/x" in the same file,
// "../entity.schema.json#/definitions/status" relative to it. Absolute URIs,
// non-pointer fragments and paths leaving the folder are refused.
Result<SchemaLocation> ResolveRef(const std::string& file, std::string_view ref);

// The value at JSON pointer `pointer` in `document`, or nullptr.
const nlohmann::json* FindInDocument(const nlohmann::json& document, std::string_view pointer);

}  // namespace keel::schema
