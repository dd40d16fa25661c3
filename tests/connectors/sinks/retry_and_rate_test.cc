// The arithmetic of a sink's waits: backoff with full jitter, Retry-After,
// and the token bucket of its rate limit. Computed, never timed.
#include <gtest/gtest.h>

#include "connectors/sinks/retry_delay.h"
#include "connectors/sinks/token_bucket.h"

namespace keel::sinks {
namespace {

using namespace std::chrono_literals;

TEST(RetryDelayTest, TheCeilingDoublesFromTheInitialDelayUpToTheMaximum) {
  RetryPolicy policy{.max_attempts = 8, .initial_delay = 1s, .max_delay = 300s};
  // A draw near 1 waits (almost) the whole ceiling: 1s, 2s, 4s, ... 256s, then 300s.
  EXPECT_EQ(RetryDelay(policy, 1, std::nullopt, 0.999999), 999ms);
  EXPECT_EQ(RetryDelay(policy, 2, std::nullopt, 0.999999), 1999ms);
  EXPECT_EQ(RetryDelay(policy, 3, std::nullopt, 0.999999), 3999ms);
  EXPECT_EQ(RetryDelay(policy, 9, std::nullopt, 0.999999), 255999ms);
  EXPECT_EQ(RetryDelay(policy, 10, std::nullopt, 0.999999), 299999ms);
  EXPECT_EQ(RetryDelay(policy, 1000, std::nullopt, 0.999999), 299999ms);  // no overflow
}

TEST(RetryDelayTest, FullJitterDrawsAnywhereBelowTheCeiling) {
  RetryPolicy policy{.max_attempts = 8, .initial_delay = 1s, .max_delay = 300s};
  EXPECT_EQ(RetryDelay(policy, 4, std::nullopt, 0.0), 0ms);    // ceiling 8s
  EXPECT_EQ(RetryDelay(policy, 4, std::nullopt, 0.25), 2000ms);
  EXPECT_EQ(RetryDelay(policy, 4, std::nullopt, 0.5), 4000ms);
}

TEST(RetryDelayTest, RetryAfterReplacesTheBackoffUpToTheMaximum) {
  RetryPolicy policy{.max_attempts = 8, .initial_delay = 1s, .max_delay = 300s};
  EXPECT_EQ(RetryDelay(policy, 1, 30s, 0.0), 30s);     // no jitter: what the receiver asked
  EXPECT_EQ(RetryDelay(policy, 7, 2s, 0.9), 2s);       // shorter than the backoff would be
  EXPECT_EQ(RetryDelay(policy, 1, 3600s, 0.5), 300s);  // an hour is capped at max_delay
}

TEST(TokenBucketTest, ABurstOfRateThenOneTokenEveryOneOverRate) {
  TokenBucket bucket(10, 10);  // 10 a second, burst 10
  int64_t t = 5'000'000;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(bucket.Reserve(t), 0) << i;
  // The 11th waits for the next token: 1/10 s; the 12th for the one after.
  EXPECT_EQ(bucket.Reserve(t), 100'000);
  EXPECT_EQ(bucket.Reserve(t), 200'000);
  // 300 ms later the two reserved are paid and one is saved: one at once, then 100 ms.
  t += 300'000;
  EXPECT_EQ(bucket.Reserve(t), 0);
  EXPECT_EQ(bucket.Reserve(t), 100'000);
}

TEST(TokenBucketTest, SavesNoMoreThanTheBurst) {
  TokenBucket bucket(2, 2);
  EXPECT_EQ(bucket.Reserve(0), 0);
  // An hour idle saves 2 tokens, not 7200.
  int64_t hour = 3'600'000'000;
  EXPECT_EQ(bucket.Reserve(hour), 0);
  EXPECT_EQ(bucket.Reserve(hour), 0);
  EXPECT_EQ(bucket.Reserve(hour), 500'000);
}

TEST(TokenBucketTest, AFractionalRateStillSendsOneAtATime) {
  TokenBucket bucket(0.5, 0.5);  // one every 2 s; the burst is at least one
  EXPECT_EQ(bucket.Reserve(0), 0);
  EXPECT_EQ(bucket.Reserve(0), 2'000'000);
}

TEST(TokenBucketTest, ZeroRateIsNoLimit) {
  TokenBucket bucket(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(bucket.Reserve(0), 0);
}

}  // namespace
}  // namespace keel::sinks
