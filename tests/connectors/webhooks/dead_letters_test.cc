// The receiver's dead letters: kept durably, one per delivery, bounded,
// readable back byte for byte, and damage reported with the file's name.
#include "connectors/webhooks/dead_letters.h"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace keel::webhooks {
namespace {

using keel::testing::TempDir;

DeadLetter Letter(std::string endpoint, std::string delivery, std::string body) {
  DeadLetter letter;
  letter.endpoint = std::move(endpoint);
  letter.delivery = std::move(delivery);
  letter.received = "2026-12-07T10:00:00Z";
  letter.reason = "no case of mapping github matches";
  letter.headers = {{"x-github-event", "push"}, {"content-type", "application/json"}};
  letter.body = std::move(body);
  return letter;
}

TEST(DeadLettersTest, KeepsALetterAndReadsItBackAfterReopening) {
  TempDir dir;
  DeadLetter letter = Letter("github", "72d3162e-cc78-11e3-81ab-4c9367dc0958", R"({"ref":"refs/heads/main"})");
  {
    auto store = DeadLetterStore::Open(dir / "dead");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Put(letter).ok());
  }
  // github- and the first 16 hex digits of SHA-256("72d3162e-cc78-11e3-81ab-4c9367dc0958").
  // (`printf %s 72d3162e-cc78-11e3-81ab-4c9367dc0958 | sha256sum`)
  EXPECT_EQ(letter.id, "github-9514e6751b793abb");
  auto store = DeadLetterStore::Open(dir / "dead");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->size(), 1u);
  auto read = (*store)->Get(letter.id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->endpoint, "github");
  EXPECT_EQ(read->delivery, "72d3162e-cc78-11e3-81ab-4c9367dc0958");
  EXPECT_EQ(read->received, "2026-12-07T10:00:00Z");
  EXPECT_EQ(read->reason, "no case of mapping github matches");
  EXPECT_EQ(read->headers.at("x-github-event"), "push");
  EXPECT_EQ(read->body, R"({"ref":"refs/heads/main"})");
}

TEST(DeadLettersTest, TheSameDeliveryTwiceIsOneLetter) {
  TempDir dir;
  auto store = DeadLetterStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  DeadLetter first = Letter("github", "d-1", "{}");
  DeadLetter again = Letter("github", "d-1", "{}");
  ASSERT_TRUE((*store)->Put(first).ok());
  ASSERT_TRUE((*store)->Put(again).ok());
  EXPECT_EQ(first.id, again.id);
  EXPECT_EQ((*store)->size(), 1u);
  // Scoped by endpoint: another hook's delivery with the same id is its own letter.
  DeadLetter other = Letter("github-org", "d-1", "{}");
  ASSERT_TRUE((*store)->Put(other).ok());
  EXPECT_NE(other.id, first.id);
  EXPECT_EQ((*store)->size(), 2u);
}

TEST(DeadLettersTest, WithoutADeliveryIdTheBodyNamesTheLetter) {
  TempDir dir;
  auto store = DeadLetterStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  DeadLetter a = Letter("jira", "", R"({"a":1})");
  DeadLetter b = Letter("jira", "", R"({"a":2})");
  ASSERT_TRUE((*store)->Put(a).ok());
  ASSERT_TRUE((*store)->Put(b).ok());
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ((*store)->size(), 2u);
}

TEST(DeadLettersTest, BytesThatAreNotUtf8ComeBackUnchanged) {
  TempDir dir;
  auto store = DeadLetterStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  std::string body("{\"x\":\"\xff\xfe\"}\0tail", 14);
  DeadLetter letter = Letter("linear", "", body);
  ASSERT_TRUE((*store)->Put(letter).ok());
  auto read = (*store)->Get(letter.id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->body, body);
}

TEST(DeadLettersTest, ListsOldestFirstAndRemoves) {
  TempDir dir;
  auto store = DeadLetterStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  DeadLetter later = Letter("github", "b", "{}");
  later.received = "2026-12-07T11:00:00Z";
  DeadLetter earlier = Letter("github", "a", "{}");
  earlier.received = "2026-12-07T09:00:00Z";
  ASSERT_TRUE((*store)->Put(later).ok());
  ASSERT_TRUE((*store)->Put(earlier).ok());
  auto letters = (*store)->List();
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 2u);
  EXPECT_EQ((*letters)[0].delivery, "a");
  EXPECT_EQ((*letters)[1].delivery, "b");

  ASSERT_TRUE((*store)->Remove(earlier.id).ok());
  EXPECT_EQ((*store)->Get(earlier.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*store)->Remove(earlier.id).code(), StatusCode::kNotFound);
  auto reopened = DeadLetterStore::Open(dir.path());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->size(), 1u);
}

TEST(DeadLettersTest, AFullStoreRefusesSoTheToolRetriesLater) {
  TempDir dir;
  auto store = DeadLetterStore::Open(dir.path(), DeadLetterLimits{.max_letters = 2, .max_bytes = 1 << 20});
  ASSERT_TRUE(store.ok());
  DeadLetter a = Letter("github", "a", "{}"), b = Letter("github", "b", "{}"), c = Letter("github", "c", "{}");
  ASSERT_TRUE((*store)->Put(a).ok());
  ASSERT_TRUE((*store)->Put(b).ok());
  Status full = (*store)->Put(c);
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.message().find("keel deliveries"), std::string::npos) << full.message();
  // A redelivery of a kept letter replaces it, so it still fits.
  DeadLetter again = Letter("github", "a", "{}");
  EXPECT_TRUE((*store)->Put(again).ok());

  auto small = DeadLetterStore::Open(dir / "small", DeadLetterLimits{.max_letters = 10, .max_bytes = 100});
  ASSERT_TRUE(small.ok());
  DeadLetter big = Letter("github", "big", std::string(200, 'x'));
  EXPECT_EQ((*small)->Put(big).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ((*small)->size(), 0u);
}

TEST(DeadLettersTest, AnEndpointNameMustBeSafeAsAFileName) {
  TempDir dir;
  auto store = DeadLetterStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  for (const std::string& name : std::vector<std::string>{"", "../etc", ".hidden", "a/b", std::string(65, 'a')}) {
    DeadLetter letter = Letter(name, "x", "{}");
    EXPECT_EQ((*store)->Put(letter).code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_EQ((*store)->size(), 0u);
}

TEST(DeadLettersTest, DamageNamesTheFile) {
  TempDir dir;
  std::string id;
  {
    auto store = DeadLetterStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    DeadLetter letter = Letter("github", "x", "{}");
    ASSERT_TRUE((*store)->Put(letter).ok());
    id = letter.id;
  }
  std::ofstream(dir / (id + ".json"), std::ios::trunc) << "{\"format\": \"keel-dead-letter-1\"";
  auto store = DeadLetterStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  Result<DeadLetter> read = (*store)->Get(id);
  ASSERT_EQ(read.status().code(), StatusCode::kCorruption);
  EXPECT_NE(read.status().message().find(id + ".json"), std::string::npos) << read.status().message();

  std::ofstream(dir / "notes.txt") << "hello";
  auto refused = DeadLetterStore::Open(dir.path());
  ASSERT_EQ(refused.status().code(), StatusCode::kCorruption);
  EXPECT_NE(refused.status().message().find("notes.txt"), std::string::npos);
}

TEST(DeadLettersTest, ATemporaryFileACrashLeftIsNotALetter) {
  TempDir dir;
  std::ofstream(dir / "github-0123456789abcdef.json.tmp") << "{";
  auto store = DeadLetterStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->size(), 0u);
}

}  // namespace
}  // namespace keel::webhooks
