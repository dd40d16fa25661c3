// Reading yaml-cpp nodes as keel's loader needs them: positions, and scalars
// typed as YAML 1.2's core schema types them (the schema editors use), so that
// `on: x` is a string and `order: 10` an integer. Internal to rules/.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "rules/load/source_file.h"

namespace keel::rules {

// A node's place (yaml-cpp marks are 0-based; these are 1-based).
Position NodePosition(const YAML::Node& node);
// A mapping value's place: its own, or its key's when YAML gave an empty
// value (`field:` with nothing after it) no place of its own.
Position ValuePosition(const YAML::Node& key, const YAML::Node& value);

// True for a scalar that is a string: quoted, a block scalar, tagged !!str,
// or plain text that is not null, a bool or a number.
bool IsStringScalar(const YAML::Node& node);
// A scalar or null node as JSON: null, bool, integer, double or string.
nlohmann::json ScalarToJson(const YAML::Node& node);
// The whole tree as JSON, for checking it against a JSON Schema. Mapping keys
// are their text; a later duplicate key wins (duplicates are reported apart).
nlohmann::json NodeToJson(const YAML::Node& node);

// The value of `key` in a mapping, or an undefined node (never throws, unlike
// yaml-cpp's operator[] on a missing key).
YAML::Node Member(const YAML::Node& map, std::string_view key);
// YAML reads an unquoted `{{ x }}` as a mapping whose only key is a mapping.
bool IsUnquotedTemplate(const YAML::Node& node);

// What a node is, for messages: "a string", "a list", "a mapping", "null", ...
std::string DescribeNode(const YAML::Node& node);

}  // namespace keel::rules
