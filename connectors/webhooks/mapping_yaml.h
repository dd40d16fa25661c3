// Reading a mapping or people file's YAML nodes: places in the file, scalars
// typed as YAML 1.2's core schema types them, and the place in the file of a
// character inside a scalar (to point CEL errors into the file).
// Internal to connectors/webhooks.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "connectors/webhooks/mapping.h"

namespace keel::webhooks {

FilePlace PlaceOf(const YAML::Node& node);
// Quoted, block or plain text that is not null, a bool or a number.
bool IsTextScalar(const YAML::Node& node);
// A scalar as JSON: null, bool, integer, double or string.
nlohmann::json ScalarJson(const YAML::Node& node);
// A YAML tree as JSON (a test's expected events or request): keys as text,
// scalars as ScalarJson types them.
nlohmann::json YamlToJson(const YAML::Node& node);
// "a string", "a list", "a mapping", "null"
std::string Describe(const YAML::Node& node);
// The file's place of line:col (1-based, in characters) of `node`'s decoded
// text. Exact for one-line scalars without escapes; the scalar's own lines
// otherwise.
FilePlace PlaceInScalar(std::string_view file_text, const YAML::Node& node, int line, int col);
// "file:line:col: message"
std::string AtPlace(std::string_view file, FilePlace place, std::string_view message);

}  // namespace keel::webhooks
