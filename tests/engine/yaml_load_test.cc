// LoadYaml: every YAML file from outside keel goes through it. It bounds the
// nodes a file holds once its aliases are expanded ("billion laughs": 10
// levels of 10 aliases are 10^10 nodes in a few hundred bytes, and every walk
// over the tree visits each), refuses an alias inside its own anchor and,
// when asked, duplicate keys; each refusal says where.
#include "engine/yaml_load.h"

#include <string>

#include <gtest/gtest.h>

namespace keel {
namespace {

// `levels` lines "lN: &aN [*aN-1, ...]" of `width` aliases each, under a
// first list of `width` scalars.
std::string Laughs(int levels, int width) {
  std::string text = "l0: &a0 [";
  for (int i = 0; i < width; ++i) text += std::string(i ? ", " : "") + "lol";
  text += "]\n";
  for (int level = 1; level <= levels; ++level) {
    std::string name = "a" + std::to_string(level);
    text += "l" + std::to_string(level) + ": &" + name + " [";
    for (int i = 0; i < width; ++i) text += std::string(i ? ", " : "") + "*a" + std::to_string(level - 1);
    text += "]\n";
  }
  return text;
}

TEST(YamlLoadTest, BillionLaughsIsRefusedAtTheAliasThatPassesTheBound) {
  YamlPlace where;
  Result<std::vector<YAML::Node>> loaded = LoadYaml(Laughs(10, 10), {}, &where);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            "more than 100000 YAML nodes added by aliases (each alias repeats the whole node its anchor names); "
            "a file's aliases may add at most 100000");
  // What aliases add, in document order: l1 10 x 11, l2 10 x 111, l3 10 x
  // 1,111 (12,330 in all), then each *a3 of l4 11,111: the 8th passes 100,000.
  EXPECT_EQ(where.line, 5);
  EXPECT_EQ(where.col, 10 + 7 * 5);
}

TEST(YamlLoadTest, TheBoundCountsWhatAliasesAddExactly) {
  YamlLimits limits;
  limits.max_expanded_nodes = 0;  // the nodes written out are not counted
  EXPECT_TRUE(LoadYaml(Laughs(0, 10), limits).ok());
  // One level: 10 aliases of a list of 10 scalars, 11 nodes each.
  limits.max_expanded_nodes = 110;
  EXPECT_TRUE(LoadYaml(Laughs(1, 10), limits).ok());
  limits.max_expanded_nodes = 109;
  EXPECT_FALSE(LoadYaml(Laughs(1, 10), limits).ok());
}

TEST(YamlLoadTest, AnAliasInsideItsOwnAnchorIsRefused) {
  YamlPlace where;
  Result<std::vector<YAML::Node>> loaded = LoadYaml("x: &a [1, *a]\n", {}, &where);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            "an alias inside the node its anchor names: the node would contain itself without end");
  EXPECT_EQ(where.line, 1);
  EXPECT_EQ(where.col, 11);
}

TEST(YamlLoadTest, DuplicateKeysAreRefusedWhenAsked) {
  const std::string text = "a: 1\nb: {c: 1, d: 2}\na: 3\n";
  YamlPlace where;
  Result<std::vector<YAML::Node>> loaded = LoadYaml(text, {}, &where);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(), "duplicate key 'a' (first at line 1)");
  EXPECT_EQ(where.line, 3);
  EXPECT_EQ(where.col, 1);
  // Inside a nested mapping, and through an alias naming a scalar.
  EXPECT_FALSE(LoadYaml("b: {c: 1, c: 2}\n").ok());
  EXPECT_FALSE(LoadYaml("k: &k c\nm: {c: 1, *k : 2}\n").ok());
  // The same key in two mappings, or as a value, is no duplicate.
  EXPECT_TRUE(LoadYaml("x: {a: 1}\ny: {a: a}\n").ok());
  YamlLimits keep;
  keep.refuse_duplicate_keys = false;
  EXPECT_TRUE(LoadYaml(text, keep).ok());
}

TEST(YamlLoadTest, InvalidYamlSaysWhereAndEveryDocumentIsReturned) {
  YamlPlace where;
  Result<std::vector<YAML::Node>> loaded = LoadYaml("a: [1, 2\nb: 3\n", {}, &where);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message().rfind("invalid YAML: ", 0), 0u) << loaded.status().message();
  EXPECT_GE(where.line, 1);
  Result<std::vector<YAML::Node>> two = LoadYaml("a: 1\n---\nb: &x 2\nc: *x\n");
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(two->size(), 2u);
  EXPECT_EQ(YamlRefusal("f.yaml", loaded.status(), {2, 3}).message().rfind("f.yaml:2:3: invalid YAML: ", 0), 0u);
}

}  // namespace
}  // namespace keel
