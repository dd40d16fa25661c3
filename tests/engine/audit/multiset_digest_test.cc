#include "engine/audit/multiset_digest.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(MultisetDigestTest, TheOrderOfEntriesDoesNotMatter) {
  auto [a, b] = MultisetDigest::Pair();
  a.Add("e1", "1");
  a.Add("e2", "2");
  a.Add("e3", "3");
  b.Add("e3", "3");
  b.Add("e1", "1");
  b.Add("e2", "2");
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a.entries(), 3u);
}

TEST(MultisetDigestTest, AChangedValueAChangedKeyOrAMissingEntryShows) {
  auto fill = [](MultisetDigest& digest, std::string_view second_key, std::string_view second_value) {
    digest.Add("e1", "1");
    digest.Add(second_key, second_value);
  };
  auto [expected, changed_value] = MultisetDigest::Pair();
  fill(expected, "e2", "2");
  fill(changed_value, "e2", "3");
  EXPECT_FALSE(expected == changed_value);

  auto [left, right] = MultisetDigest::Pair();
  fill(left, "e2", "2");
  fill(right, "e9", "2");
  EXPECT_FALSE(left == right);

  auto [full, short_one] = MultisetDigest::Pair();
  fill(full, "e2", "2");
  short_one.Add("e1", "1");
  EXPECT_FALSE(full == short_one);
}

TEST(MultisetDigestTest, BytesMovedBetweenKeyAndValueShow) {
  auto [a, b] = MultisetDigest::Pair();
  a.Add("ab", "c");
  b.Add("a", "bc");
  EXPECT_FALSE(a == b);
}

TEST(MultisetDigestTest, AnEntryTwiceIsNotTheSameAsOnceOrAsTwoOthersThatCancel) {
  auto [twice, once] = MultisetDigest::Pair();
  twice.Add("e1", "1");
  twice.Add("e1", "1");
  once.Add("e1", "1");
  EXPECT_FALSE(twice == once);
}

TEST(MultisetDigestTest, KeyedHashDependsOnEveryByteAndOnTheKeys) {
  constexpr char kStreamKey[] = "workspace\0task\0T-1\0\0\0\0\0\0\0\x01";
  const std::string text(kStreamKey, sizeof kStreamKey - 1);
  uint64_t base = KeyedHash64(text, 1, 2);
  for (size_t i = 0; i < text.size(); ++i) {
    std::string changed = text;
    changed[i] ^= 0x20;
    EXPECT_NE(KeyedHash64(changed, 1, 2), base) << "byte " << i;
  }
  EXPECT_NE(KeyedHash64(text, 1, 3), base);
  EXPECT_NE(KeyedHash64(text + '\0', 1, 2), base);  // length counts
  EXPECT_EQ(KeyedHash64(text, 1, 2), base);         // and it is a function
}

}  // namespace
}  // namespace keel
