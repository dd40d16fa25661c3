// HMAC-SHA256 with a key scheduled once: the test vectors of RFC 4231
// (section 4), and the same digests from many threads sharing one key.
#include "connectors/http/hmac_sha256.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace keel::testing {
namespace {

using http::DigestHex;
using http::HmacSha256Key;

TEST(HmacSha256Key, Rfc4231TestCase1) {
  HmacSha256Key key(std::string(20, '\x0b'));
  EXPECT_EQ(DigestHex(key.Sign("Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256Key, Rfc4231TestCase2ShortKey) {
  HmacSha256Key key("Jefe");
  EXPECT_EQ(DigestHex(key.Sign("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Key, Rfc4231TestCase6KeyLongerThanABlock) {
  HmacSha256Key key(std::string(131, '\xaa'));
  EXPECT_EQ(DigestHex(key.Sign("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Key, SigningTwiceGivesTheSameDigest) {
  // The keyed context is copied for each body, never consumed.
  HmacSha256Key key("Jefe");
  std::string first = DigestHex(key.Sign("what do ya want for nothing?"));
  EXPECT_EQ(DigestHex(key.Sign("what do ya want for nothing?")), first);
  EXPECT_NE(DigestHex(key.Sign("what do ya want for nothing!")), first);
}

TEST(HmacSha256Key, ManyThreadsShareOneKey) {
  HmacSha256Key key(std::string(20, '\x0b'));
  std::vector<std::thread> threads;
  std::vector<int> wrong(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&key, &wrong, t] {
      for (int i = 0; i < 500; ++i) {
        if (DigestHex(key.Sign("Hi There")) != "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7") {
          ++wrong[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace keel::testing
