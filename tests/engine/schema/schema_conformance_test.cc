// Proves that the compiled validator is exactly the schemas: every schema
// file loads in valijson (an independent draft-07 implementation), and over
// a corpus of thousands of good and bad events, made by mutating the valid
// examples, both accept and refuse the same events. The patterns' automaton
// is also compared with RE2 on many strings.
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1  // else valijson aborts on errors
#endif

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "engine/schema/schema_compiler.h"
#include "engine/schema/schema_pattern.h"
#include "engine/schema/schema_registry.h"
#include "tests/engine/schema/schema_test_support.h"

namespace keel {
namespace {

using nlohmann::json;
using testing::SchemaDir;
using testing::ValidExampleEvents;

constexpr std::string_view kBaseUri = "keel-schemas://";

std::string ReadSchemaFile(const std::string& path) {
  std::ifstream in(SchemaDir() + "/" + path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> EventSchemaFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(SchemaDir() + "/events")) {
    files.push_back("events/" + entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// valijson 1.0 fetches only absolute URIs (with "://") and ignores $id, so the
// harness gives every file an absolute base, keel-schemas://<path>, and
// resolves each relative $ref against it, as RFC 3986 resolution would.
void MakeRefsAbsolute(const std::string& file, json* schema) {
  if (schema->is_array()) {
    for (json& item : *schema) MakeRefsAbsolute(file, &item);
    return;
  }
  if (!schema->is_object()) return;
  for (auto& [key, value] : schema->items()) {
    if (key == "$ref" && value.is_string() && !value.get<std::string>().starts_with("#")) {
      Result<schema::SchemaLocation> target = schema::ResolveRef(file, value.get<std::string>());
      ASSERT_TRUE(target.ok()) << target.status().ToString();
      value = std::string(kBaseUri) + target->file + (target->pointer.empty() ? "" : "#" + target->pointer);
    } else {
      MakeRefsAbsolute(file, &value);
    }
  }
}

json LoadForValijson(const std::string& file) {
  json schema = json::parse(ReadSchemaFile(file));
  MakeRefsAbsolute(file, &schema);
  return schema;
}

std::unique_ptr<valijson::Schema> ValijsonSchema(const std::string& file) {
  json document = LoadForValijson(file);
  auto schema = std::make_unique<valijson::Schema>();
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  auto fetch = [](const std::string& uri) -> const json* {
    if (!uri.starts_with(kBaseUri)) return nullptr;
    return new json(LoadForValijson(uri.substr(kBaseUri.size())));
  };
  auto free_document = [](const json* document) { delete document; };
  parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(document), *schema, fetch, free_document);
  return schema;
}

// valijson's verdict. valijson 1.0 applies `format` before `type` and throws
// when a format meets a number or boolean; every `format` in keel's schemas
// sits beside `type: string` (or in an anyOf whose other branches refuse
// numbers and booleans too), so such a throw means "refused".
bool ValijsonAccepts(const valijson::Schema& schema, const json& event, bool* threw) {
  thread_local valijson::Validator validator;  // keeps its std::regex cache across events
  try {
    *threw = false;
    return validator.validate(schema, valijson::adapters::NlohmannJsonAdapter(event), nullptr);
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "JSON value cannot be cast to a string.");
    *threw = true;
    return false;
  }
}

// --- The corpus: the examples and their mutations ---------------------------

const std::vector<json>& ReplacementValues() {
  static const std::vector<json> values = {
      nullptr, true, 0, -1, 2.5, "", "x", "task/T-1", "2026-03-02", "2026-03-02T09:00:00Z",
      json::array(), json::array({"x"}), json::array({"x", "x"}), json::object(), json({{"to", "x"}})};
  return values;
}

// Strings worth trying at the attributes whose rules are about strings.
const std::map<std::string, std::vector<json>>& TargetedValues() {
  static const std::map<std::string, std::vector<json>> values = {
      {"/time",
       {"2026-03-02T09:00:00", "2026-03-02 09:00:00Z", "2026-13-02T09:00:00Z", "2026-03-32T09:00:00Z",
        "2026-02-30T09:00:00Z", "2026-04-31T09:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T09:60:00Z",
        "2026-03-02T09:00:00+25:00", "2026-03-02T09:00:00.123456789+05:30", "2026-03-02t09:00:00z",
        "2024-02-29T12:00:00-03:00", "2026-03-02T09:00:00.Z", "2026-03-02T09:00Z"}},
      {"/subject",
       {"task/T-1", "goal/G-1", "key_result/K", "kpi/K", "initiative/I", "approval/A", "user/u", "T-1",
        "task/", "/T-1", "Task/T-1", "task/a/b", "task/\u00e9", "task/x\u0001", "task/" + std::string(256, 'x'),
        "task/" + std::string(257, 'x')}},
      {"/workspace", {"A", "acme.eu_1-b", "-acme", "acme corp", "acme/eu", std::string(64, 'w'), std::string(65, 'w')}},
      {"/id", {"e\u0001", "e\u007f", "\u00e9v\u00e9nement", std::string(256, 'i'), std::string(257, 'i')}},
      {"/specversion", {"1.0", "1", "0.3"}},
      {"/datacontenttype", {"application/json", "text/plain"}},
      {"/hash", {std::string(64, 'a'), std::string(64, 'A'), std::string(63, 'a')}},
      {"/seq", {1, 0, 7}},
  };
  return values;
}

std::vector<std::string> AllTypeNames() {
  std::vector<std::string> types;
  for (const std::string& file : EventSchemaFiles()) {
    types.push_back(file.substr(7, file.size() - 7 - std::string(".schema.json").size()));
  }
  return types;
}

void CollectPointers(const json& value, const json::json_pointer& at, std::vector<json::json_pointer>* members,
                     std::vector<json::json_pointer>* objects, std::vector<json::json_pointer>* arrays,
                     std::vector<json::json_pointer>* strings) {
  if (value.is_string()) strings->push_back(at);
  if (value.is_array()) {
    arrays->push_back(at);
    for (size_t i = 0; i < value.size(); ++i) {
      CollectPointers(value[i], at / i, members, objects, arrays, strings);
    }
  }
  if (!value.is_object()) return;
  objects->push_back(at);
  for (const auto& [key, member] : value.items()) {
    members->push_back(at / key);
    CollectPointers(member, at / key, members, objects, arrays, strings);
  }
}

// valijson compiles a std::regex for every `format` it checks (~1.3 ms each),
// so the corpus takes a rotating share of the replacement values at each
// place rather than all of them; over the examples every value still meets
// every kind of place.
class CorpusBuilder {
 public:
  void AddMutations(const json& event) {
    std::vector<json::json_pointer> members, objects, arrays, strings;
    CollectPointers(event, json::json_pointer(), &members, &objects, &arrays, &strings);
    corpus_.push_back(event);
    for (const auto& pointer : members) {
      With(event, [&](json& e) { e[pointer.parent_pointer()].erase(pointer.back()); });
      for (int i = 0; i < 3; ++i) With(event, [&](json& e) { e[pointer] = Next(ReplacementValues()); });
    }
    const std::vector<json> extras = {json({{"zz", 1}}), json({{"zz", json::object()}}), json({{"Bad-Key", "x"}}),
                                      json({{"id", "x"}}), json({{"_custom", {1, 2}}})};
    for (const auto& pointer : objects) {
      for (int i = 0; i < 2; ++i) With(event, [&](json& e) { e[pointer].update(Next(extras)); });
    }
    const std::vector<json> items = {json("x"), json(5), json("")};
    for (const auto& pointer : arrays) {
      With(event, [&](json& e) { e[pointer].push_back(Next(items)); });
      if (!event[pointer].empty()) With(event, [&](json& e) { e[pointer].push_back(e[pointer][0]); });
    }
    for (const auto& pointer : strings) {
      std::string text = event[pointer];
      With(event, [&](json& e) { e[pointer] = turn_++ % 2 ? text + "\u0001" : std::string(300, 'x'); });
    }
    for (const auto& [attribute, values] : TargetedValues()) {
      for (int i = 0; i < 2; ++i) With(event, [&](json& e) { e[json::json_pointer(attribute)] = Next(values); });
    }
    static const std::vector<json> types = [] {
      std::vector<json> names;
      for (const std::string& type : AllTypeNames()) names.push_back(type);
      return names;
    }();
    for (int i = 0; i < 4; ++i) With(event, [&](json& e) { e["type"] = Next(types); });
  }

  std::vector<json> Take() { return std::move(corpus_); }

 private:
  void With(const json& event, const std::function<void(json&)>& change) {
    json mutated = event;
    change(mutated);
    corpus_.push_back(std::move(mutated));
  }

  const json& Next(const std::vector<json>& choices) { return choices[turn_++ % choices.size()]; }

  size_t turn_ = 0;
  std::vector<json> corpus_;
};

TEST(SchemaConformanceTest, EverySchemaFileLoadsInValijson) {
  for (const std::string& file : EventSchemaFiles()) {
    EXPECT_NO_THROW(ValijsonSchema(file)) << file;
  }
  EXPECT_NO_THROW(ValijsonSchema("cloudevent.schema.json"));
  EXPECT_NO_THROW(ValijsonSchema("entity.schema.json"));
}

// valijson's verdict on the whole event, as Validate defines it: a known
// type's schema (which includes the envelope), and refused when the type is
// unknown.
class ValijsonVerdicts {
 public:
  ValijsonVerdicts() {
    for (const std::string& type : AllTypeNames()) schemas_[type] = ValijsonSchema("events/" + type + ".schema.json");
  }

  bool Accepts(const json& event) const {
    // find, not operator[]: on a const json, [] of a missing key is undefined
    // behaviour (AddressSanitizer: heap-buffer-overflow on a mutation that
    // drops "type").
    auto type = event.is_object() ? event.find("type") : event.end();
    auto schema = type != event.end() && type->is_string() ? schemas_.find(type->get<std::string>()) : schemas_.end();
    bool threw = false;
    return schema != schemas_.end() && ValijsonAccepts(*schema->second, event, &threw);
  }

 private:
  std::map<std::string, std::unique_ptr<valijson::Schema>> schemas_;
};

struct Verdict {
  bool valijson_accepts = false;
  Status keel;
};

TEST(SchemaConformanceTest, CompiledValidatorAgreesWithValijson) {
  auto registry = SchemaRegistry::LoadFromDirectory(SchemaDir());
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  const ValijsonVerdicts valijson;
  CorpusBuilder builder;
  for (const json& example : ValidExampleEvents()) builder.AddMutations(example);
  std::vector<json> corpus = builder.Take();

  // Two threads halve the wall time; both validators are safe to share.
  std::vector<Verdict> verdicts(corpus.size());
  auto judge = [&](size_t first) {
    for (size_t i = first; i < corpus.size(); i += 2) {
      verdicts[i] = {valijson.Accepts(corpus[i]), testing::ValidateJson(**registry, corpus[i])};
    }
  };
  std::thread other(judge, 1);
  judge(0);
  other.join();

  int accepted = 0, refused = 0, disagreements = 0;
  for (size_t i = 0; i < corpus.size(); ++i) {
    const Verdict& verdict = verdicts[i];
    (verdict.keel.ok() ? accepted : refused)++;
    if (verdict.keel.ok() != verdict.valijson_accepts && ++disagreements <= 20) {
      ADD_FAILURE() << "valijson " << (verdict.valijson_accepts ? "accepts" : "refuses") << ", keel says "
                    << verdict.keel.ToString() << ":\n" << corpus[i].dump();
    }
  }
  EXPECT_EQ(disagreements, 0);
  EXPECT_GE(accepted, 300);
  EXPECT_GE(refused, 2000);
  std::cout << "[ corpus ] " << corpus.size() << " events: " << accepted << " accepted, " << refused
            << " refused; valijson agrees on " << corpus.size() - disagreements << "\n";
}

// Where keel is stricter than valijson 1.0, on purpose; kept out of the corpus
// above and pinned here so that a change on either side is noticed.
TEST(SchemaConformanceTest, KnownValijsonDeviations) {
  auto registry = SchemaRegistry::LoadFromDirectory(SchemaDir());
  ASSERT_TRUE(registry.ok());
  std::unique_ptr<valijson::Schema> envelope = ValijsonSchema("cloudevent.schema.json");
  json example = testing::ExampleOfType("rule.halted");
  struct Deviation {
    const char* pointer;
    json value;
    bool valijson_accepts;
    bool keel_accepts;
    const char* why;
  };
  const Deviation deviations[] = {
      {"/time", "26-03-02T09:00:00Z", true, false, "valijson takes a year of any length; RFC 3339 has four digits"},
      {"/time", "2026-02-29T09:00:00Z", true, false, "valijson ignores leap years"},
      {"/time", "2026-03-02T09:58:60Z", true, false, "valijson takes :60 at any minute; a leap second ends a UTC day"},
      {"/time", "2026-03-02T09:00:00|01:00", true, false, "valijson's offset sign class is [\\+|\\-]"},
      {"/seq", 3.0, false, true, "draft-07: 1.0 is an integer; valijson's strict types refuse a float"},
  };
  for (const Deviation& deviation : deviations) {
    json event = example;
    event[json::json_pointer(deviation.pointer)] = deviation.value;
    bool threw = false;
    EXPECT_EQ(ValijsonAccepts(*envelope, event, &threw), deviation.valijson_accepts) << deviation.why;
    EXPECT_EQ(testing::ValidateJson(**registry, event).ok(), deviation.keel_accepts) << deviation.why;
  }
}

// --- Patterns: keel's automaton against RE2 ----------------------------------

void CollectPatterns(const json& schema, std::set<std::string>* patterns) {
  if (schema.is_array()) {
    for (const json& item : schema) CollectPatterns(item, patterns);
  }
  if (!schema.is_object()) return;
  for (const auto& [key, value] : schema.items()) {
    if (key == "pattern" && value.is_string()) patterns->insert(value.get<std::string>());
    if (key == "patternProperties" && value.is_object()) {
      for (const auto& [source, subschema] : value.items()) patterns->insert(source);
    }
    CollectPatterns(value, patterns);
  }
}

std::vector<std::string> PatternProbes() {
  const std::vector<std::string> pieces = {
      "a", "z", "A", "Z", "0", "9", "_", "-", ".", "/", " ", "\t", "\n", "\x01", "\x1f", "\x7f", "~", "|",
      "\u00e9", "\u20ac", "\U0001F600", "task", "goal", "key_result", "kpi", "initiative", "approval",
      "task/", "T-1", ".created", "ab", "f0"};
  std::mt19937 random(20260302);  // fixed: the test is deterministic
  std::vector<std::string> probes = {"", "task/T-1", "task.created", "a.b.c", "acme", "specversion",
                                     "task/" + std::string(256, 'x'), "task/" + std::string(257, 'x'),
                                     std::string(64, 'a'), std::string(64, 'f'), std::string(65, 'a')};
  for (int i = 0; i < 4000; ++i) {
    std::string probe;
    for (int n = random() % 8; n > 0; --n) probe += pieces[random() % pieces.size()];
    probes.push_back(probe);
  }
  return probes;
}

TEST(SchemaConformanceTest, PatternAutomatonAgreesWithRe2) {
  std::set<std::string> patterns = {
      // The schemas' own, plus forms the automaton should handle the same way.
      "abc", "^abc", "abc$", "a|b", "^(a|bc)+$", "^(?:ab)*c?$", "^[^a-z]{2,3}$", "x{0,2}x", "^\\d+\\.\\w*$",
      "[\\D]", "^\\W", "^[a\\-z]$", "^[-a]+$", "^[a-]+$", "^\\$", "\\$$", "^a{3}$", "^a{2,}$", "(a|)b",
      "^[\\x41-\\x43]+$", "^[\\t\\n]", "^ab?c*d+$", "^(t|ta|tas|task)/", "^[^/]+/[^/]+$", "a+a+b",
      // ...and forms it leaves to RE2 (they must still agree, trivially).
      ".", "^\\s", "\\bword", "(?i)abc", "a*?b", "^\\x{20AC}"};
  for (const std::string& file : EventSchemaFiles()) CollectPatterns(json::parse(ReadSchemaFile(file)), &patterns);
  for (const char* file : {"cloudevent.schema.json", "entity.schema.json"}) {
    std::set<std::string> from_file;
    CollectPatterns(json::parse(ReadSchemaFile(file)), &from_file);
    for (const std::string& pattern : from_file) {
      auto compiled = schema::Pattern::Compile(pattern);
      ASSERT_TRUE(compiled.ok());
      EXPECT_TRUE((*compiled)->runs_on_automaton()) << "schema pattern left to RE2: " << pattern;
    }
    patterns.insert(from_file.begin(), from_file.end());
  }
  std::vector<std::string> probes = PatternProbes();
  for (const std::string& source : patterns) {
    auto pattern = schema::Pattern::Compile(source);
    ASSERT_TRUE(pattern.ok()) << source;
    for (const std::string& probe : probes) {
      ASSERT_EQ((*pattern)->Search(probe), (*pattern)->SearchWithRe2(probe))
          << "pattern " << source << " on " << json(probe).dump();
    }
  }
}

TEST(SchemaConformanceTest, PatternsTooBigForTheAutomatonRunOnRe2) {
  // 2^15 automaton states: over the cap, so RE2 runs it, with the same answers.
  auto pattern = schema::Pattern::Compile("(a|b)*a(a|b){15}");
  ASSERT_TRUE(pattern.ok());
  EXPECT_FALSE((*pattern)->runs_on_automaton());
  EXPECT_TRUE((*pattern)->Search("ba" + std::string(15, 'b')));
  EXPECT_FALSE((*pattern)->Search(std::string(16, 'b')));
}

TEST(SchemaConformanceTest, SchemaPatternsRunOnTheAutomaton) {
  for (const std::string& file : EventSchemaFiles()) {
    std::set<std::string> patterns;
    CollectPatterns(json::parse(ReadSchemaFile(file)), &patterns);
    for (const std::string& source : patterns) {
      auto pattern = schema::Pattern::Compile(source);
      ASSERT_TRUE(pattern.ok());
      EXPECT_TRUE((*pattern)->runs_on_automaton()) << file << ": " << source;
    }
  }
}

}  // namespace
}  // namespace keel
