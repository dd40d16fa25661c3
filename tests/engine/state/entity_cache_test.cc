#include "engine/state/entity_cache.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

EntityState Task(std::string_view status) {
  EntityState state;
  state.SetString("id", "T-1");
  state.SetString("status", status);
  return state;
}

TEST(EntityCacheTest, TakenStateReadsAsAbsentUntilPutBack) {
  EntityCache cache(10);
  cache.Put("acme/task/T-1", Task("todo"));
  auto taken = cache.Take("acme/task/T-1");
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->GetString("status"), "todo");
  EXPECT_EQ(cache.Peek("acme/task/T-1"), nullptr);
  EXPECT_FALSE(cache.Take("acme/task/T-1").has_value());  // as after a failed batch

  cache.Put("acme/task/T-1", Task("done"));
  ASSERT_NE(cache.Peek("acme/task/T-1"), nullptr);
  EXPECT_EQ(cache.Peek("acme/task/T-1")->GetString("status"), "done");
}

TEST(EntityCacheTest, LeastRecentlyPutIsEvicted) {
  EntityCache cache(2);
  cache.Put("a", Task("1"));
  cache.Put("b", Task("2"));
  cache.Put("a", Task("3"));
  cache.Put("c", Task("4"));
  EXPECT_EQ(cache.Peek("b"), nullptr);
  ASSERT_NE(cache.Peek("a"), nullptr);
  EXPECT_EQ(cache.Peek("a")->GetString("status"), "3");
  EXPECT_NE(cache.Peek("c"), nullptr);
}

}  // namespace
}  // namespace keel
