#include "engine/entity_state.h"

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

}  // namespace
}  // namespace keel
