// The files of schemas/, compiled into the engine library by
// engine/schema/embed_schemas.cmake so that the binaries need no schema folder.
#pragma once

#include <span>
#include <string_view>

namespace keel {

struct EmbeddedFile {
  std::string_view path;     // relative to schemas/, e.g. "events/task.created.schema.json"
  std::string_view content;
};

// Sorted by path. Defined in the generated embedded_schemas.cc.
std::span<const EmbeddedFile> EmbeddedSchemaFiles();

}  // namespace keel
