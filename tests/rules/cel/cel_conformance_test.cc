// Runs the CEL conformance tests (cel-spec's tests/simple/testdata, as JSON)
// against rules/cel. The folder comes from $CEL_CONFORMANCE_DIR, by default
// ../shared/conformance/cel beside the repository; see its README for the
// format. The test skips when the folder is absent.
//
// Every test of every *.json file runs, except those named in the skip list
// below (each with its reason) and those whose data plainly asks for what keel
// leaves out (protobuf messages, containers, static type deduction, unknowns):
// these are reported as skipped, by name, so a file added later never counts
// them as failures and the list can be completed. Passed, failed and skipped
// counts are printed, every failure by name, and the test fails below a 95%
// pass rate of the tests run.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rules/cel/cel.h"

namespace keel::cel {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// file/section/test (or file/section/* for a whole section, file/* for a whole
// file) -> why it is skipped.
const std::map<std::string, std::string>& SkipList() {
  static const std::map<std::string, std::string> kSkips = {
      {"comparisons/eq_wrapper/*",
       "protobuf messages: wrapper types (google.protobuf.Int32Value{...}) and TestAllTypes messages"},
      {"comparisons/eq_literal/eq_dyn_json_null", "protobuf messages: google.protobuf.Value{} construction"},
      {"comparisons/eq_literal/not_eq_dyn_proto2_msg_null", "protobuf messages: TestAllTypes{} (proto2)"},
      {"comparisons/eq_literal/not_eq_dyn_proto3_msg_null", "protobuf messages: TestAllTypes{} (proto3)"},
      {"comparisons/ne_literal/ne_proto2", "protobuf messages: TestAllTypes equality"},
      {"comparisons/ne_literal/ne_proto3", "protobuf messages: TestAllTypes equality"},
      {"comparisons/ne_literal/ne_proto2_missing_fields_neq", "protobuf messages: TestAllTypes equality"},
      {"comparisons/ne_literal/ne_proto3_missing_fields_neq", "protobuf messages: TestAllTypes equality"},
      {"comparisons/ne_literal/ne_proto_nan_not_equal", "protobuf messages: TestAllTypes equality"},
      {"comparisons/ne_literal/ne_proto_different_types", "protobuf messages: TestAllTypes vs NestedTestAllTypes"},
      {"comparisons/ne_literal/ne_proto2_any_unpack", "protobuf messages: google.protobuf.Any unpacking"},
      {"comparisons/ne_literal/ne_proto2_any_unpack_bytewise_fallback",
       "protobuf messages: google.protobuf.Any unpacking"},
      {"comparisons/ne_literal/ne_proto3_any_unpack", "protobuf messages: google.protobuf.Any unpacking"},
      {"comparisons/ne_literal/ne_proto3_any_unpack_bytewise_fallback",
       "protobuf messages: google.protobuf.Any unpacking"},
      // Optional fields of protobuf messages (TestAllTypes{?f: ...}, msg.?f).
      {"optionals/optionals/has_optional_ofNonZeroValue_struct_optional_ofNonZeroValue_map_optindex_field", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/optional_ofNonZeroValue_struct_optional_ofNonZeroValue_map_optindex_field", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/struct_map_optindex_field", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/struct_optional_ofNonZeroValue_map_optindex_field", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/struct_map_optindex_field_nested", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/struct_list_optindex_field", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/empty_struct_optindex_hasValue", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/optional_empty_struct_optindex_hasValue", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/struct_optindex_value", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/optional_struct_optindex_value", "protobuf messages: TestAllTypes with optional fields"},
      {"optionals/optionals/optional_struct_optindex_index_value", "protobuf messages: TestAllTypes with optional fields"},
  };
  return kSkips;
}

fs::path ConformanceDir() {
  const char* env = std::getenv("CEL_CONFORMANCE_DIR");
  fs::path dir = env != nullptr && *env != '\0' ? fs::path(env) : fs::path("../shared/conformance/cel");
  if (dir.is_relative()) dir = fs::path(KEEL_SOURCE_DIR) / dir;
  return dir.lexically_normal();
}

// Test values: {"int64_value": 1}, {"list_value": {"values": [...]}}, ...
struct Unsupported {
  std::string why;
};

std::string DecodeBase64(const std::string& in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else continue;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

template <typename T>
T Integer(const json& j) {
  if (j.is_string()) return static_cast<T>(std::stoll(j.get<std::string>()));
  return j.get<T>();
}

double Double(const json& j) {
  if (j.is_number()) return j.get<double>();
  std::string s = j.is_object() && j.contains("float") ? j["float"].get<std::string>() : j.get<std::string>();
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  if (s == "nan") return NAN;
  if (s == "inf" || s == "+inf" || s == "infinity") return INFINITY;
  if (s == "-inf" || s == "-infinity") return -INFINITY;
  return std::stod(s);
}

Kind KindFromTypeName(const std::string& name, bool* ok) {
  for (int k = 0; k < kKindCount; ++k) {
    if (KindName(static_cast<Kind>(k)) == name) return static_cast<Kind>(k);
  }
  *ok = false;
  return Kind::kDyn;
}

Value ParseValue(const json& j) {
  if (j.contains("null_value")) return Value::Null();
  if (j.contains("bool_value")) return Value::Bool(j["bool_value"].get<bool>());
  if (j.contains("int64_value")) return Value::Int(Integer<int64_t>(j["int64_value"]));
  if (j.contains("uint64_value")) {
    const json& u = j["uint64_value"];
    return Value::Uint(u.is_string() ? std::stoull(u.get<std::string>()) : u.get<uint64_t>());
  }
  if (j.contains("double_value")) return Value::Double(Double(j["double_value"]));
  if (j.contains("string_value")) return Value::String(j["string_value"].get<std::string>());
  if (j.contains("bytes_value")) {
    const json& b = j["bytes_value"];
    return Value::Bytes(DecodeBase64(b.is_object() ? b.value("b64", "") : b.get<std::string>()));
  }
  if (j.contains("list_value")) {
    std::vector<Value> items;
    for (const json& item : j["list_value"].value("values", json::array())) items.push_back(ParseValue(item));
    return Value::List(std::move(items));
  }
  if (j.contains("map_value")) {
    std::vector<MapEntry> entries;
    for (const json& e : j["map_value"].value("entries", json::array())) {
      entries.emplace_back(ParseValue(e["key"]), ParseValue(e["value"]));
    }
    Result<Value> map = Value::Map(std::move(entries));
    if (!map.ok()) throw Unsupported{"map value: " + map.status().message()};
    return *map;
  }
  if (j.contains("type_value")) {
    bool ok = true;
    Kind kind = KindFromTypeName(j["type_value"].get<std::string>(), &ok);
    if (!ok) throw Unsupported{"type value " + j["type_value"].get<std::string>()};
    return Value::Type(kind);
  }
  if (j.contains("enum_value")) return Value::Int(Integer<int64_t>(j["enum_value"].value("value", json(0))));
  if (j.contains("object_value")) throw Unsupported{"protobuf message value"};
  throw Unsupported{"value " + j.dump()};
}

// Exact equality for checking results: kinds must match (1 is not 1u), NaN matches NaN.
bool SameValue(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kDouble:
      return (std::isnan(a.AsDouble()) && std::isnan(b.AsDouble())) || a.AsDouble() == b.AsDouble();
    case Kind::kList: {
      auto x = a.ListItems(), y = b.ListItems();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!SameValue(x[i], y[i])) return false;
      }
      return true;
    }
    case Kind::kMap: {
      if (a.MapSize() != b.MapSize()) return false;
      for (const MapEntry& e : a.MapEntries()) {
        const Value* other = b.MapFind(e.first);
        if (other == nullptr || !SameValue(e.second, *other)) return false;
      }
      return true;
    }
    default:
      return a.Equals(b);
  }
}

Kind DeclaredKind(const json& type) {
  if (type.contains("primitive")) {
    static const std::map<std::string, Kind> kPrimitives = {
        {"BOOL", Kind::kBool},     {"INT64", Kind::kInt},     {"UINT64", Kind::kUint},
        {"DOUBLE", Kind::kDouble}, {"STRING", Kind::kString}, {"BYTES", Kind::kBytes}};
    auto it = kPrimitives.find(type["primitive"].get<std::string>());
    return it == kPrimitives.end() ? Kind::kDyn : it->second;
  }
  if (type.contains("list_type")) return Kind::kList;
  if (type.contains("map_type")) return Kind::kMap;
  if (type.contains("null")) return Kind::kNull;
  if (type.contains("message_type")) {
    std::string name = type["message_type"].get<std::string>();
    if (name == "google.protobuf.Timestamp") return Kind::kTimestamp;
    if (name == "google.protobuf.Duration") return Kind::kDuration;
    throw Unsupported{"protobuf message type " + name};
  }
  return Kind::kDyn;
}

// Why a test needs protobuf messages, or "" when it does not.
std::string NeedsProtobuf(const json& test) {
  std::string text = test.dump();
  if (text.find("\"object_value\"") != std::string::npos) return "a protobuf message value";
  if (test.contains("container") && !test["container"].get<std::string>().empty()) {
    return "a protobuf container (" + test["container"].get<std::string>() + ")";
  }
  for (const json& decl : test.value("type_env", json::array())) {
    if (decl.contains("ident") && decl["ident"].contains("type") && decl["ident"]["type"].contains("message_type")) {
      std::string name = decl["ident"]["type"]["message_type"].get<std::string>();
      if (name != "google.protobuf.Timestamp" && name != "google.protobuf.Duration") return "message type " + name;
    }
  }
  return "";
}

// Why a test asks for something outside keel's CEL, or "" when it does not.
std::string OutOfScope(const json& test) {
  if (test.value("check_only", false)) {
    return "check_only: asks for CEL's static type deduction; keel's light checker infers kinds only";
  }
  for (const char* key : {"unknown", "any_unknowns", "any_eval_errors"}) {
    if (test.contains(key)) return std::string(key) + ": partial evaluation with unknowns is not supported";
  }
  return "";
}

enum class Outcome { kPassed, kFailed };

// Runs one test; `detail` explains a failure.
Outcome RunTest(const json& test, std::string* detail) {
  const std::string expr = test.value("expr", "");
  CompileOptions options;
  options.variables.clear();
  options.type_check = !test.value("disable_check", false);
  options.enable_macros = !test.value("disable_macros", false);
  for (const json& decl : test.value("type_env", json::array())) {
    if (!decl.contains("ident")) continue;  // function declarations need no setup
    options.variables.push_back({decl["name"].get<std::string>(), DeclaredKind(decl["ident"].value("type", json::object()))});
  }
  Activation activation;
  for (const json& binding : test.value("bindings", json::array())) {
    std::string name = binding["key"].get<std::string>();
    const json& value = binding["value"];
    if (!value.contains("value")) throw Unsupported{"binding that is not a value"};
    activation.Bind(name, ParseValue(value["value"]));
    bool declared = std::any_of(options.variables.begin(), options.variables.end(),
                                [&](const VariableDecl& d) { return d.name == name; });
    if (!declared) options.variables.push_back({name, Kind::kDyn});
  }

  Result<Program> program = Compile(expr, options);
  bool expect_error = test.contains("eval_error");
  if (!program.ok()) {
    // Refusing an expression when it is compiled also satisfies eval_error.
    if (expect_error) return Outcome::kPassed;
    *detail = "compile error: " + program.status().message();
    return Outcome::kFailed;
  }
  Result<Value> result = program->Evaluate(activation);
  if (expect_error) {
    if (!result.ok()) return Outcome::kPassed;
    *detail = "expected an evaluation error, got " + result->DebugString();
    return Outcome::kFailed;
  }
  if (!result.ok()) {
    *detail = "evaluation error: " + result.status().message();
    return Outcome::kFailed;
  }
  const json* expected_json = test.contains("value") ? &test["value"] : nullptr;
  if (expected_json == nullptr && test.contains("typed_result") && test["typed_result"].contains("result")) {
    expected_json = &test["typed_result"]["result"];
  }
  Value expected = expected_json != nullptr ? ParseValue(*expected_json) : Value::Bool(true);
  if (SameValue(*result, expected)) return Outcome::kPassed;
  *detail = "expected " + expected.DebugString() + ", got " + result->DebugString();
  return Outcome::kFailed;
}

struct Tally {
  int passed = 0, failed = 0, skipped = 0;
};

TEST(CelConformanceTest, RunsEveryTestFile) {
  fs::path dir = ConformanceDir();
  if (!fs::is_directory(dir)) {
    GTEST_SKIP() << "CEL conformance tests not found in " << dir << " (set CEL_CONFORMANCE_DIR)";
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no *.json files in " << dir;

  std::map<std::string, Tally> by_file;
  Tally total;
  std::vector<std::string> failures, skipped, detected;
  std::set<std::string> used_skips;
  for (const fs::path& path : files) {
    std::ifstream in(path);
    json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(doc.is_discarded()) << path << " is not valid JSON";
    std::string file = path.stem().string();
    Tally& tally = by_file[file];
    for (const json& section : doc.value("section", json::array())) {
      std::string section_name = section.value("name", "");
      for (const json& test : section.value("test", json::array())) {
        std::string id = file + "/" + section_name + "/" + test.value("name", "");
        auto skip = SkipList().find(id);
        if (skip == SkipList().end()) skip = SkipList().find(file + "/" + section_name + "/*");
        if (skip == SkipList().end()) skip = SkipList().find(file + "/*");
        if (skip != SkipList().end()) {
          used_skips.insert(skip->first);
          skipped.push_back(id + ": " + skip->second);
          ++tally.skipped;
          continue;
        }
        // Not listed, but plainly out of scope: report it, so the list gets the entry.
        if (std::string why = NeedsProtobuf(test); !why.empty()) {
          detected.push_back(id + ": needs " + why);
          ++tally.skipped;
          continue;
        }
        if (std::string why = OutOfScope(test); !why.empty()) {
          detected.push_back(id + ": " + why);
          ++tally.skipped;
          continue;
        }
        std::string detail;
        Outcome outcome;
        try {
          outcome = RunTest(test, &detail);
        } catch (const Unsupported& u) {
          if (u.why.find("protobuf") != std::string::npos) {
            detected.push_back(id + ": needs a " + u.why);
            ++tally.skipped;
            continue;
          }
          outcome = Outcome::kFailed;
          detail = "unsupported test data: " + u.why;
        } catch (const std::exception& e) {
          outcome = Outcome::kFailed;
          detail = std::string("bad test data: ") + e.what();
        }
        if (outcome == Outcome::kPassed) {
          ++tally.passed;
        } else {
          // An expression using message construction is a protobuf test too.
          if (detail.find("no protobuf messages") != std::string::npos) {
            detected.push_back(id + ": needs protobuf messages (" + detail + ")");
            ++tally.skipped;
            continue;
          }
          ++tally.failed;
          failures.push_back(id + ": `" + test.value("expr", "") + "`: " + detail);
        }
      }
    }
  }

  std::cout << "CEL conformance (" << dir.string() << ")\n";
  for (const auto& [file, t] : by_file) {
    std::cout << "  " << file << ": " << t.passed << " passed, " << t.failed << " failed, " << t.skipped
              << " skipped\n";
    total.passed += t.passed;
    total.failed += t.failed;
    total.skipped += t.skipped;
  }
  for (const std::string& s : skipped) std::cout << "  SKIP " << s << "\n";
  for (const std::string& s : detected) std::cout << "  SKIP (detected, not in the skip list) " << s << "\n";
  for (const auto& [entry, reason] : SkipList()) {
    if (!used_skips.count(entry)) std::cout << "  NOTE skip list entry matches no test: " << entry << "\n";
  }
  for (const std::string& f : failures) std::cout << "  FAIL " << f << "\n";
  int run = total.passed + total.failed;
  double rate = run == 0 ? 0 : 100.0 * total.passed / run;
  std::cout << "CEL conformance: " << total.passed << " passed, " << total.failed << " failed, " << total.skipped
            << " skipped; " << rate << "% of the tests run passed\n";
  EXPECT_GE(rate, 95.0) << "pass rate below 95%; failures are listed above";
}

}  // namespace
}  // namespace keel::cel
