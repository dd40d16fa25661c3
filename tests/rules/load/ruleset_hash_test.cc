// The rule set's hash (its rulesethash) is SHA-256 over the sorted files'
// paths and bytes: stable, and changed by any change to any file.
#include <fstream>

#include <gtest/gtest.h>

#include "tests/rules/rule_pack.h"
#include "tests/support/temp_dir.h"

namespace keel::rules {
namespace {

using testing::RulePack;
using testing::SimpleRule;

void Write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

TEST(RuleSetHashTest, KnownAnswer) {
  // sha256 of "rules/a.yaml" NUL be64(6) "id: a\n" "templates/t.yaml" NUL be64(8) "name: t\n"
  EXPECT_EQ(RuleSetHash({{"rules/a.yaml", "id: a\n"}, {"templates/t.yaml", "name: t\n"}}),
            "b397bb2463ff5c382ddd0cd93f0caedd202663c3b2985cd1a2a7d56e28975171");
}

TEST(RuleSetHashTest, SameFilesGiveTheSameHash) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("a")).Add("rules/b.yaml", SimpleRule("b"));
  std::string first = pack.LoadOk().hash();
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(pack.LoadOk().hash(), first);
  EXPECT_EQ(RuleSetHash(pack.sources()), first);
}

TEST(RuleSetHashTest, AnyChangeToAnyFileChangesIt) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("a")).Add("templates/t.yaml", "name: t\ntasks: [{key: a, title: A}]\n");
  std::string base = pack.LoadOk().hash();
  RulePack comment = pack;
  comment.Add("rules/a.yaml", SimpleRule("a") + "# a comment\n");
  EXPECT_NE(comment.LoadOk().hash(), base);
  RulePack renamed;
  renamed.Add("rules/a2.yaml", SimpleRule("a")).Add("templates/t.yaml", "name: t\ntasks: [{key: a, title: A}]\n");
  EXPECT_NE(renamed.LoadOk().hash(), base);
  RulePack template_changed = pack;
  template_changed.Add("templates/t.yaml", "name: t\ntasks: [{key: a, title: B}]\n");
  EXPECT_NE(template_changed.LoadOk().hash(), base);
  RulePack added = pack;
  added.Add("rules/b.yaml", SimpleRule("b"));
  EXPECT_NE(added.LoadOk().hash(), base);
}

TEST(RuleSetHashTest, FolderLocationDoesNotMatterOnlyRelativePaths) {
  ::keel::testing::TempDir one, two;
  for (const auto* dir : {&one, &two}) {
    Write(*dir / "pack/rules/a.yaml", SimpleRule("a"));
    Write(*dir / "pack/rules/more/b.yml", SimpleRule("b"));
    Write(*dir / "pack/templates/t.yaml", "name: t\ntasks: [{key: a, title: A}]\n");
  }
  Write(two / "pack/rules/README.md", "not a rule");
  Write(two / "pack/rules/.hidden.yaml", "not: loaded");
  Write(two / "pack/rules/.git/x.yaml", "not: loaded");
  auto a = RuleSet::Load(one / "pack/rules", one / "pack/templates");
  auto b = RuleSet::Load(two / "pack/rules", two / "pack/templates");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->hash(), b->hash());
  std::vector<std::string> keys;
  for (const auto& [key, bytes] : b->sources()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"rules/a.yaml", "rules/more/b.yml", "templates/t.yaml"}));
  EXPECT_EQ(b->sources().at("rules/a.yaml"), SimpleRule("a"));
}

TEST(RuleSetHashTest, StoredSourcesLoadToTheSameSet) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("a")).Add("templates/t.yaml", "name: t\ntasks: [{key: a, title: A}]\n");
  RuleSet first = pack.LoadOk();
  Result<RuleSet> again = RuleSet::LoadFromSources(first.sources());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->hash(), first.hash());
  EXPECT_EQ(again->rules().size(), 1u);
}

TEST(RuleSetHashTest, DiagnosticsNameFilesAsTheUserGaveThem) {
  ::keel::testing::TempDir dir;
  Write(dir / "rules/a.yaml", "id: a\non: task.nope\nthen: [{add_comment: x}]\n");
  std::vector<Diagnostic> diagnostics;
  auto set = RuleSet::Load(dir / "rules", {}, {}, &diagnostics);
  ASSERT_FALSE(set.ok());
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].file, (dir / "rules").generic_string() + "/a.yaml");
  EXPECT_EQ(RuleSet::Load(dir / "missing", {}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace keel::rules
