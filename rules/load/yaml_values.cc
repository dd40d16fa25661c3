#include "rules/load/yaml_values.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace keel::rules {

Position NodePosition(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

Position ValuePosition(const YAML::Node& key, const YAML::Node& value) {
  Position k = NodePosition(key);
  Position v = NodePosition(value);
  if (value.IsNull() && (v.line == 0 || v.line > k.line)) return k;
  return v;
}

namespace {

constexpr std::string_view kTagStr = "tag:yaml.org,2002:str";
constexpr std::string_view kTagInt = "tag:yaml.org,2002:int";
constexpr std::string_view kTagFloat = "tag:yaml.org,2002:float";
constexpr std::string_view kTagBool = "tag:yaml.org,2002:bool";
constexpr std::string_view kTagNull = "tag:yaml.org,2002:null";

bool IsDecimalDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctalDigit(char c) { return c >= '0' && c <= '7'; }
bool IsHexDigit(char c) { return IsDecimalDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// At least one character, every one passing `is`. Plain loops rather than
// std::regex: libstdc++'s matcher recurses per character and overflows the
// stack on a long enough scalar, which a rule file must never be able to do.
bool AllOf(std::string_view s, bool (*is)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is);
}

std::string_view WithoutSign(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s;
}

// YAML 1.2's core-schema float: [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool IsYamlFloat(std::string_view s) {
  s = WithoutSign(s);
  size_t exponent = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, exponent);
  if (exponent != std::string_view::npos && !AllOf(WithoutSign(s.substr(exponent + 1)), IsDecimalDigit)) return false;
  size_t point = mantissa.find('.');
  if (point == std::string_view::npos) return AllOf(mantissa, IsDecimalDigit);
  std::string_view whole = mantissa.substr(0, point), fraction = mantissa.substr(point + 1);
  if (whole.empty()) return AllOf(fraction, IsDecimalDigit);
  return AllOf(whole, IsDecimalDigit) && (fraction.empty() || AllOf(fraction, IsDecimalDigit));
}

bool IsNullText(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

std::optional<bool> BoolOf(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

std::optional<nlohmann::json> IntOf(std::string_view s) {
  std::string text(s);
  int base = 10;
  std::string_view digits = s;
  if (s.starts_with("0o") && AllOf(s.substr(2), IsOctalDigit)) {
    base = 8;
    digits = s.substr(2);
  } else if (s.starts_with("0x") && AllOf(s.substr(2), IsHexDigit)) {
    base = 16;
    digits = s.substr(2);
  } else if (!AllOf(WithoutSign(s), IsDecimalDigit)) {
    return std::nullopt;
  }
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  int64_t i = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i, base);
  if (ec == std::errc() && end == digits.data() + digits.size()) return nlohmann::json(i);
  uint64_t u = 0;
  auto [uend, uec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
  if (uec == std::errc() && uend == digits.data() + digits.size()) return nlohmann::json(u);
  return nlohmann::json(std::strtod(text.c_str(), nullptr));
}

std::optional<double> FloatOf(std::string_view s) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") {
    return std::numeric_limits<double>::infinity();
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  if (!IsYamlFloat(s)) return std::nullopt;
  std::string text(s);
  return std::strtod(text.c_str(), nullptr);
}

nlohmann::json PlainScalar(const std::string& s) {
  if (IsNullText(s)) return nullptr;
  if (auto b = BoolOf(s)) return *b;
  if (auto i = IntOf(s)) return *i;
  if (auto d = FloatOf(s)) return *d;
  return s;
}

}  // namespace

bool IsStringScalar(const YAML::Node& node) {
  if (!node.IsScalar()) return false;
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == kTagStr) return true;
  if (tag == "?") return PlainScalar(node.Scalar()).is_string();
  return false;
}

nlohmann::json ScalarToJson(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  if (!node.IsScalar()) return NodeToJson(node);
  const std::string& s = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == kTagStr) return s;
  if (tag == kTagInt) {
    if (auto i = IntOf(s)) return *i;
  } else if (tag == kTagFloat) {
    if (auto d = FloatOf(s)) return *d;
    if (auto i = IntOf(s)) return static_cast<double>(i->get<double>());
  } else if (tag == kTagBool) {
    if (auto b = BoolOf(s)) return *b;
  } else if (tag == kTagNull) {
    return nullptr;
  }
  return PlainScalar(s);
}

nlohmann::json NodeToJson(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  if (node.IsScalar()) return ScalarToJson(node);
  if (node.IsSequence()) {
    nlohmann::json list = nlohmann::json::array();
    for (const YAML::Node& item : node) list.push_back(NodeToJson(item));
    return list;
  }
  nlohmann::json map = nlohmann::json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : YAML::Dump(it->first);
    map[key] = NodeToJson(it->second);
  }
  return map;
}

YAML::Node Member(const YAML::Node& map, std::string_view key) {
  if (map.IsMap()) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool IsUnquotedTemplate(const YAML::Node& node) {
  return node.IsMap() && node.size() == 1 && node.begin()->first.IsMap();
}

std::string DescribeNode(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  nlohmann::json value = ScalarToJson(node);
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number_integer() || value.is_number_unsigned()) return "an integer";
  if (value.is_number()) return "a number";
  return "null";
}

}  // namespace keel::rules
