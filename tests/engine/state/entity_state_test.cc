#include "engine/state/entity_state.h"

#include <string>

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(EntityStateTest, SetKeepsMembersInKeyOrder) {
  EntityState s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.ToCanonical(), "{}");
  s.SetString("title", "Brief");
  s.Set("version", "1");
  s.SetString("assignee", "bob");
  s.SetString("status", "todo");
  EXPECT_EQ(s.ToCanonical(), R"({"assignee":"bob","status":"todo","title":"Brief","version":1})");
}

TEST(EntityStateTest, SetReplacesAValueOfAnyLength) {
  EntityState s = EntityState::FromCanonical(R"({"a":1,"b":"x","c":[1,2]})");
  s.Set("b", R"({"nested":"longer value"})");
  s.Set("a", "12345");
  s.Set("c", "0");
  EXPECT_EQ(s.ToCanonical(), R"({"a":12345,"b":{"nested":"longer value"},"c":0})");
  EXPECT_EQ(s.Get("b"), R"({"nested":"longer value"})");
}

TEST(EntityStateTest, EraseFirstMiddleLastAndOnly) {
  EntityState s = EntityState::FromCanonical(R"({"a":1,"b":2,"c":3})");
  s.Erase("b");
  EXPECT_EQ(s.ToCanonical(), R"({"a":1,"c":3})");
  s.Erase("c");
  EXPECT_EQ(s.ToCanonical(), R"({"a":1})");
  s.Erase("missing");
  EXPECT_EQ(s.ToCanonical(), R"({"a":1})");
  s.Erase("a");
  EXPECT_TRUE(s.empty());
  s = EntityState::FromCanonical(R"({"a":1,"b":2})");
  s.Erase("a");
  EXPECT_EQ(s.ToCanonical(), R"({"b":2})");
}

TEST(EntityStateTest, GetFindsWholeKeysOnly) {
  EntityState s = EntityState::FromCanonical(R"({"due":"2026-03-06","due_note":"soft","version":7})");
  EXPECT_EQ(s.Get("due"), R"("2026-03-06")");
  EXPECT_EQ(s.GetString("due_note"), "soft");
  EXPECT_TRUE(s.Get("du").empty());
  EXPECT_EQ(s.version(), 7);
  auto fields = s.fields();
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1].first, "due_note");
}

TEST(EntityStateTest, InsertBeforeFirstAndAfterLast) {
  EntityState s = EntityState::FromCanonical(R"({"m":1})");
  s.Set("a", "0");
  s.Set("z", "2");
  EXPECT_EQ(s.ToCanonical(), R"({"a":0,"m":1,"z":2})");
}

TEST(EntityStateTest, IncrementVersionStartsAtOneAndGrowsInPlace) {
  EntityState s = EntityState::FromCanonical(R"({"title":"Brief","workspace":"acme"})");
  EXPECT_EQ(s.IncrementVersion(), 1);
  EXPECT_EQ(s.ToCanonical(), R"({"title":"Brief","version":1,"workspace":"acme"})");
  for (int i = 0; i < 8; ++i) s.IncrementVersion();
  EXPECT_EQ(s.IncrementVersion(), 10);  // one digit more: the members after it move
  EXPECT_EQ(s.ToCanonical(), R"({"title":"Brief","version":10,"workspace":"acme"})");
  EXPECT_EQ(s.version(), 10);
  EXPECT_EQ(s.Get("workspace"), R"("acme")");
}

// Field names that share a first byte, and ones that do not: lookups decide
// on the first byte where they can and compare whole names where not. Bytes
// compare unsigned, so a UTF-8 name sorts after every ASCII one.
TEST(EntityStateTest, LookupsOfNamesSharingAFirstByte) {
  const std::string accented = "\xc3\xa9t\xc3\xa9";  // "été"
  EntityState s;
  for (std::string name : {"status", "start", "st", "s", "summary", "a", "z"}) s.Set(name, "1");
  s.Set(accented, "1");
  EXPECT_EQ(s.ToCanonical(),
            "{\"a\":1,\"s\":1,\"st\":1,\"start\":1,\"status\":1,\"summary\":1,\"z\":1,\"" + accented + "\":1}");
  s.Set("st", "2");
  EXPECT_EQ(s.Get("st"), "2");
  EXPECT_EQ(s.Get("sta"), "");
  EXPECT_EQ(s.Get("status"), "1");
  EXPECT_EQ(s.Get(accented), "1");
}

}  // namespace
}  // namespace keel
