#include "engine/schema/schema_compiler.h"

#include <algorithm>
#include <cmath>

namespace keel::schema {
namespace {

const std::set<std::string_view> kSupportedKeywords = {
    "$schema", "$id", "$ref", "definitions", "title", "description", "type", "enum", "const",
    "required", "properties", "patternProperties", "additionalProperties", "propertyNames",
    "minProperties", "maxProperties", "items", "minItems", "maxItems", "uniqueItems",
    "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "allOf", "anyOf", "oneOf", "not"};

// Draft-07 ignores every keyword beside $ref; only annotations may stay there.
const std::set<std::string_view> kRefSiblings = {"$ref", "$schema", "$id", "title", "description",
                                                 "definitions"};

const std::set<std::string_view> kDraft07Uris = {"http://json-schema.org/draft-07/schema#",
                                                 "http://json-schema.org/draft-07/schema"};

Status LocatedError(const SchemaLocation& location, const std::string& message) {
  std::string where = location.pointer.empty() ? location.file : location.ToString();
  return Status::InvalidArgument(where + ": " + message);
}

bool IsNonNegativeInteger(const nlohmann::json& value) {
  if (value.is_number_unsigned()) return true;
  if (value.is_number_integer()) return value.get<int64_t>() >= 0;
  if (!value.is_number_float()) return false;
  double number = value.get<double>();
  return number >= 0 && std::trunc(number) == number;
}

// Reads `keyword` as a count into `*out` when present.
Status ReadCount(const SchemaLocation& location, const nlohmann::json& schema, std::string_view keyword,
                 uint64_t* out) {
  auto found = schema.find(keyword);
  if (found == schema.end()) return Status::OK();
  if (!IsNonNegativeInteger(*found)) {
    return LocatedError(location, "'" + std::string(keyword) + "' must be a non-negative integer");
  }
  *out = found->is_number_float() ? static_cast<uint64_t>(found->get<double>()) : found->get<uint64_t>();
  return Status::OK();
}

Status ReadBound(const SchemaLocation& location, const nlohmann::json& schema, std::string_view keyword,
                 std::optional<double>* out) {
  auto found = schema.find(keyword);
  if (found == schema.end()) return Status::OK();
  if (!found->is_number()) return LocatedError(location, "'" + std::string(keyword) + "' must be a number");
  *out = found->get<double>();
  return Status::OK();
}

Result<uint8_t> TypeBitsOf(const SchemaLocation& location, const nlohmann::json& name) {
  static const std::map<std::string, uint8_t> kTypes = {
      {"null", kNullBit},     {"boolean", kBooleanBit}, {"integer", kIntegerBit},
      {"number", kNumberBits}, {"string", kStringBit},  {"array", kArrayBit},
      {"object", kObjectBit}};
  auto found = name.is_string() ? kTypes.find(name.get<std::string>()) : kTypes.end();
  if (found == kTypes.end()) return LocatedError(location, "unknown type " + name.dump());
  return found->second;
}

// The index of the rule for `name`, or -1 (while the rules are being built,
// before SchemaNode::IndexProperties).
int RuleIndex(const std::vector<PropertyRule>& rules, const std::string& name) {
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

Result<const SchemaNode*> SchemaCompiler::CompileFile(const std::string& file) {
  return CompileAt({file, ""});
}

Result<const SchemaNode*> SchemaCompiler::CompileAt(const SchemaLocation& location) {
  if (const SchemaNode* cached = store_->Cached(location.ToString())) return cached;
  if (!store_->HasFile(location.file)) return LocatedError(location, "no such schema file");
  KEEL_ASSIGN_OR_RETURN(const nlohmann::json* document, store_->Document(location.file));
  const nlohmann::json* schema = FindInDocument(*document, location.pointer);
  if (!schema) return LocatedError(location, "no such place in the schema");
  return CompileSchema(location, *schema);
}

Result<const SchemaNode*> SchemaCompiler::CompileSchema(const SchemaLocation& location,
                                                        const nlohmann::json& schema) {
  std::string key = location.ToString();
  if (const SchemaNode* cached = store_->Cached(key)) return cached;
  if (schema.is_boolean()) {
    SchemaNode* node = store_->NewNode(key);
    node->always_invalid = !schema.get<bool>();
    store_->Cache(key, node);
    return node;
  }
  if (!schema.is_object()) return LocatedError(location, "a schema must be an object or a boolean");
  if (schema.contains("$ref")) return CompileRef(location, schema);
  SchemaNode* node = store_->NewNode(key);
  store_->Cache(key, node);  // before the children, so that recursive $refs find it
  KEEL_RETURN_IF_ERROR(CompileKeywords(location, schema, node));
  return node;
}

Result<const SchemaNode*> SchemaCompiler::CompileRef(const SchemaLocation& location,
                                                     const nlohmann::json& schema) {
  for (const auto& [keyword, value] : schema.items()) {
    if (!kRefSiblings.count(keyword)) {
      return LocatedError(location, "'" + keyword +
                                        "' beside $ref would be ignored (draft-07); put both under allOf");
    }
  }
  SchemaNode annotations;
  KEEL_RETURN_IF_ERROR(CompileAnnotations(location, schema, &annotations));
  KEEL_RETURN_IF_ERROR(CompileDefinitions(location, schema));
  const nlohmann::json& ref = schema["$ref"];
  if (!ref.is_string()) return LocatedError(location, "$ref must be a string");
  Result<SchemaLocation> target = ResolveRef(location.file, ref.get<std::string>());
  if (!target.ok()) return LocatedError(location, target.status().message());
  std::string key = location.ToString();
  if (!refs_in_progress_.insert(key).second) return LocatedError(location, "circular $ref");
  Result<const SchemaNode*> node = CompileAt(*target);
  refs_in_progress_.erase(key);
  if (!node.ok()) return node.status();
  store_->Cache(key, *node);
  return *node;
}

Status SchemaCompiler::CompileKeywords(const SchemaLocation& location, const nlohmann::json& schema,
                                       SchemaNode* node) {
  for (const auto& [keyword, value] : schema.items()) {
    if (!kSupportedKeywords.count(keyword)) {
      return LocatedError(location, "unsupported keyword '" + keyword + "'");
    }
  }
  KEEL_RETURN_IF_ERROR(CompileAnnotations(location, schema, node));
  KEEL_RETURN_IF_ERROR(CompileDefinitions(location, schema));
  KEEL_RETURN_IF_ERROR(CompileTypeAndValues(location, schema, node));
  KEEL_RETURN_IF_ERROR(CompileStringKeywords(location, schema, node));
  KEEL_RETURN_IF_ERROR(CompileNumberKeywords(location, schema, node));
  KEEL_RETURN_IF_ERROR(CompileObjectKeywords(location, schema, node));
  KEEL_RETURN_IF_ERROR(CompileArrayKeywords(location, schema, node));
  KEEL_RETURN_IF_ERROR(CompileCombinators(location, schema, node));
  SetCheckGroups(node);
  return Status::OK();
}

Status SchemaCompiler::CompileAnnotations(const SchemaLocation& location, const nlohmann::json& schema,
                                          SchemaNode* node) {
  for (const char* keyword : {"title", "description", "$id", "$schema"}) {
    auto found = schema.find(keyword);
    if (found != schema.end() && !found->is_string()) {
      return LocatedError(location, "'" + std::string(keyword) + "' must be a string");
    }
  }
  auto version = schema.find("$schema");
  if (version != schema.end() && !kDraft07Uris.count(version->get<std::string>())) {
    return LocatedError(location, "only draft-07 schemas are supported, not " + version->dump());
  }
  if (schema.contains("$id") && !location.pointer.empty()) {
    return LocatedError(location, "$id is supported only at the root of a file");
  }
  node->title = schema.value("title", "");
  node->description = schema.value("description", "");
  return Status::OK();
}

// Compiles every definition, used or not, so that a mistake anywhere in a
// file is reported when it loads.
Status SchemaCompiler::CompileDefinitions(const SchemaLocation& location, const nlohmann::json& schema) {
  auto definitions = schema.find("definitions");
  if (definitions == schema.end()) return Status::OK();
  if (!definitions->is_object()) return LocatedError(location, "'definitions' must be an object");
  SchemaLocation base = location.Child("definitions");
  for (const auto& [name, definition] : definitions->items()) {
    KEEL_RETURN_IF_ERROR(CompileSchema(base.Child(name), definition).status());
  }
  return Status::OK();
}

Status SchemaCompiler::CompileTypeAndValues(const SchemaLocation& location, const nlohmann::json& schema,
                                            SchemaNode* node) {
  if (auto type = schema.find("type"); type != schema.end()) {
    std::vector<nlohmann::json> names = type->is_array() ? type->get<std::vector<nlohmann::json>>()
                                                         : std::vector<nlohmann::json>{*type};
    if (names.empty()) return LocatedError(location, "'type' must not be an empty list");
    node->types = 0;
    for (const nlohmann::json& name : names) {
      KEEL_ASSIGN_OR_RETURN(uint8_t bits, TypeBitsOf(location, name));
      if ((node->types & bits) == bits) return LocatedError(location, "'type' lists " + name.dump() + " twice");
      node->types |= bits;
    }
  }
  if (auto values = schema.find("enum"); values != schema.end()) {
    if (!values->is_array() || values->empty()) return LocatedError(location, "'enum' must be a non-empty array");
    node->has_enum = true;
    node->enum_values = values->get<std::vector<nlohmann::json>>();
  }
  if (auto value = schema.find("const"); value != schema.end()) {
    if (node->has_enum) return LocatedError(location, "use either 'enum' or 'const', not both");
    node->has_enum = node->enum_is_const = true;
    node->enum_values = {*value};
  }
  node->enum_is_strings = node->has_enum && std::all_of(node->enum_values.begin(), node->enum_values.end(),
                                                         [](const nlohmann::json& v) { return v.is_string(); });
  if (node->enum_is_strings) {
    for (const nlohmann::json& value : node->enum_values) node->enum_strings.push_back(value.get<std::string>());
  }
  return Status::OK();
}

Status SchemaCompiler::CompileStringKeywords(const SchemaLocation& location, const nlohmann::json& schema,
                                             SchemaNode* node) {
  KEEL_RETURN_IF_ERROR(ReadCount(location, schema, "minLength", &node->min_length));
  KEEL_RETURN_IF_ERROR(ReadCount(location, schema, "maxLength", &node->max_length));
  if (auto pattern = schema.find("pattern"); pattern != schema.end()) {
    if (!pattern->is_string()) return LocatedError(location, "'pattern' must be a string");
    Result<std::unique_ptr<Pattern>> compiled = Pattern::Compile(pattern->get<std::string>());
    if (!compiled.ok()) return LocatedError(location, compiled.status().message());
    node->pattern = std::move(compiled).value();
  }
  if (auto format = schema.find("format"); format != schema.end()) {
    if (*format == "date-time") node->format = Format::kDateTime;
    else if (*format == "date") node->format = Format::kDate;
    else return LocatedError(location, "unsupported format " + format->dump() + " (date-time and date are)");
  }
  return Status::OK();
}

Status SchemaCompiler::CompileNumberKeywords(const SchemaLocation& location, const nlohmann::json& schema,
                                             SchemaNode* node) {
  KEEL_RETURN_IF_ERROR(ReadBound(location, schema, "minimum", &node->minimum));
  KEEL_RETURN_IF_ERROR(ReadBound(location, schema, "maximum", &node->maximum));
  KEEL_RETURN_IF_ERROR(ReadBound(location, schema, "exclusiveMinimum", &node->exclusive_minimum));
  KEEL_RETURN_IF_ERROR(ReadBound(location, schema, "exclusiveMaximum", &node->exclusive_maximum));
  return Status::OK();
}

Status SchemaCompiler::CompileObjectKeywords(const SchemaLocation& location, const nlohmann::json& schema,
                                             SchemaNode* node) {
  KEEL_RETURN_IF_ERROR(CompileProperties(location, schema, node));
  KEEL_RETURN_IF_ERROR(CompilePatternProperties(location, schema, node));
  KEEL_ASSIGN_OR_RETURN(node->additional_properties, CompileChild(location, schema, "additionalProperties"));
  KEEL_ASSIGN_OR_RETURN(node->property_names, CompileChild(location, schema, "propertyNames"));
  KEEL_RETURN_IF_ERROR(ReadCount(location, schema, "minProperties", &node->min_properties));
  KEEL_RETURN_IF_ERROR(ReadCount(location, schema, "maxProperties", &node->max_properties));
  auto additional = schema.find("additionalProperties");
  if (additional != schema.end() && (*additional == true || *additional == nlohmann::json::object())) {
    node->additional_properties = nullptr;  // allows anything: nothing to check
  }
  return Status::OK();
}

// Required properties come first, in the order `required` lists them, so the
// first 64 fit the checker's bit mask and a missing one is named in order.
Status SchemaCompiler::CompileProperties(const SchemaLocation& location, const nlohmann::json& schema,
                                         SchemaNode* node) {
  static const nlohmann::json kNone = nlohmann::json::object();
  const nlohmann::json& required = schema.contains("required") ? schema["required"] : nlohmann::json::array();
  const nlohmann::json& properties = schema.contains("properties") ? schema["properties"] : kNone;
  if (!required.is_array()) return LocatedError(location, "'required' must be an array");
  if (!properties.is_object()) return LocatedError(location, "'properties' must be an object");
  for (const nlohmann::json& name : required) {
    if (!name.is_string()) return LocatedError(location, "'required' must list strings");
    if (RuleIndex(node->properties, name.get<std::string>()) >= 0) {
      return LocatedError(location, "'required' lists " + name.dump() + " twice");
    }
    node->properties.push_back({name.get<std::string>(), nullptr, false, true});
  }
  SchemaLocation base = location.Child("properties");
  for (const auto& [name, subschema] : properties.items()) {
    KEEL_ASSIGN_OR_RETURN(const SchemaNode* compiled, CompileSchema(base.Child(name), subschema));
    int index = RuleIndex(node->properties, name);
    if (index < 0) {
      node->properties.push_back({name, nullptr, false, false});
      index = static_cast<int>(node->properties.size()) - 1;
    }
    node->properties[index].schema = compiled;
    node->properties[index].declared = true;
  }
  if (node->properties.size() > INT16_MAX) return LocatedError(location, "too many properties");
  node->IndexProperties();
  for (size_t i = 0; i < node->properties.size(); ++i) {
    if (!node->properties[i].required) continue;
    if (i < 64) node->required_mask |= uint64_t{1} << i;
    else node->required_beyond_mask = true;
  }
  return Status::OK();
}

Status SchemaCompiler::CompilePatternProperties(const SchemaLocation& location, const nlohmann::json& schema,
                                                SchemaNode* node) {
  auto patterns = schema.find("patternProperties");
  if (patterns == schema.end()) return Status::OK();
  if (!patterns->is_object()) return LocatedError(location, "'patternProperties' must be an object");
  SchemaLocation base = location.Child("patternProperties");
  for (const auto& [source, subschema] : patterns->items()) {
    Result<std::unique_ptr<Pattern>> pattern = Pattern::Compile(source);
    if (!pattern.ok()) return LocatedError(location, pattern.status().message());
    KEEL_ASSIGN_OR_RETURN(const SchemaNode* compiled, CompileSchema(base.Child(source), subschema));
    node->pattern_properties.push_back({std::move(pattern).value(), compiled});
  }
  return Status::OK();
}

Status SchemaCompiler::CompileArrayKeywords(const SchemaLocation& location, const nlohmann::json& schema,
                                            SchemaNode* node) {
  if (schema.contains("items") && schema["items"].is_array()) {
    return LocatedError(location, "'items' as an array (tuple validation) is not supported");
  }
  KEEL_ASSIGN_OR_RETURN(node->items, CompileChild(location, schema, "items"));
  KEEL_RETURN_IF_ERROR(ReadCount(location, schema, "minItems", &node->min_items));
  KEEL_RETURN_IF_ERROR(ReadCount(location, schema, "maxItems", &node->max_items));
  if (auto unique = schema.find("uniqueItems"); unique != schema.end()) {
    if (!unique->is_boolean()) return LocatedError(location, "'uniqueItems' must be a boolean");
    node->unique_items = unique->get<bool>();
  }
  return Status::OK();
}

Status SchemaCompiler::CompileCombinators(const SchemaLocation& location, const nlohmann::json& schema,
                                          SchemaNode* node) {
  std::pair<const char*, std::vector<const SchemaNode*>*> lists[] = {
      {"allOf", &node->all_of}, {"anyOf", &node->any_of}, {"oneOf", &node->one_of}};
  for (auto [keyword, out] : lists) {
    auto list = schema.find(keyword);
    if (list == schema.end()) continue;
    if (!list->is_array() || list->empty()) {
      return LocatedError(location, "'" + std::string(keyword) + "' must be a non-empty array");
    }
    KEEL_ASSIGN_OR_RETURN(*out, CompileSchemaList(location.Child(keyword), *list));
  }
  KEEL_ASSIGN_OR_RETURN(node->negated, CompileChild(location, schema, "not"));
  return Status::OK();
}

Result<std::vector<const SchemaNode*>> SchemaCompiler::CompileSchemaList(const SchemaLocation& location,
                                                                         const nlohmann::json& list) {
  std::vector<const SchemaNode*> nodes;
  for (size_t i = 0; i < list.size(); ++i) {
    KEEL_ASSIGN_OR_RETURN(const SchemaNode* node, CompileSchema(location.Child(std::to_string(i)), list[i]));
    nodes.push_back(node);
  }
  return nodes;
}

Result<const SchemaNode*> SchemaCompiler::CompileChild(const SchemaLocation& location,
                                                       const nlohmann::json& schema,
                                                       std::string_view keyword) {
  auto child = schema.find(keyword);
  if (child == schema.end()) return static_cast<const SchemaNode*>(nullptr);
  return CompileSchema(location.Child(keyword), *child);
}

}  // namespace keel::schema
