#include "engine/utf8.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

std::string Encoded(uint32_t code_point) {
  std::string out;
  AppendUtf8(code_point, &out);
  return out;
}

// The bytes are RFC 3629's table, written out by hand at each boundary.
TEST(Utf8Test, OneByteUpToU007F) {
  EXPECT_EQ(Encoded(0x00), std::string(1, '\0'));
  EXPECT_EQ(Encoded(0x41), "A");
  EXPECT_EQ(Encoded(0x7F), "\x7F");
}

TEST(Utf8Test, TwoBytesFromU0080ToU07FF) {
  EXPECT_EQ(Encoded(0x80), "\xC2\x80");
  EXPECT_EQ(Encoded(0xE9), "\xC3\xA9");  // é
  EXPECT_EQ(Encoded(0x7FF), "\xDF\xBF");
}

TEST(Utf8Test, ThreeBytesFromU0800ToUFFFF) {
  EXPECT_EQ(Encoded(0x800), "\xE0\xA0\x80");
  EXPECT_EQ(Encoded(0x20AC), "\xE2\x82\xAC");  // €
  EXPECT_EQ(Encoded(0xFFFF), "\xEF\xBF\xBF");
}

TEST(Utf8Test, FourBytesFromU10000ToU10FFFF) {
  EXPECT_EQ(Encoded(0x10000), "\xF0\x90\x80\x80");
  EXPECT_EQ(Encoded(0x1F600), "\xF0\x9F\x98\x80");  // 😀
  EXPECT_EQ(Encoded(0x10FFFF), "\xF4\x8F\xBF\xBF");
}

TEST(Utf8Test, AppendsAfterWhatIsThere) {
  std::string out = "caf";
  AppendUtf8(0xE9, &out);
  EXPECT_EQ(out, "caf\xC3\xA9");
}

TEST(Utf8Test, EveryEncodedCodePointIsValid) {
  for (uint32_t code_point : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    EXPECT_TRUE(IsValidUtf8(Encoded(code_point))) << std::hex << code_point;
  }
}

TEST(Utf8Test, ValidPrefixStopsAtTheFirstBadSequence) {
  EXPECT_EQ(Utf8ValidPrefix(""), 0u);
  EXPECT_EQ(Utf8ValidPrefix("plain"), 5u);
  EXPECT_EQ(Utf8ValidPrefix("ab\x80"), 2u);               // a lone continuation byte
  EXPECT_EQ(Utf8ValidPrefix("ab\xC3"), 2u);               // cut short
  EXPECT_EQ(Utf8ValidPrefix("ab\xC3\x41"), 2u);           // not followed by a continuation
  EXPECT_EQ(Utf8ValidPrefix("ab\xC0\xAF"), 2u);           // overlong '/'
  EXPECT_EQ(Utf8ValidPrefix("ab\xE0\x80\xAF"), 2u);       // overlong, three bytes
  EXPECT_EQ(Utf8ValidPrefix("ab\xF0\x80\x80\xAF"), 2u);   // overlong, four bytes
  EXPECT_EQ(Utf8ValidPrefix("ab\xED\xA0\x80"), 2u);       // U+D800, a surrogate
  EXPECT_EQ(Utf8ValidPrefix("ab\xF4\x90\x80\x80"), 2u);   // U+110000
  EXPECT_EQ(Utf8ValidPrefix("ab\xF8\x88\x80\x80\x80"), 2u);  // five-byte form
  EXPECT_EQ(Utf8ValidPrefix("\xC3\xA9\xE2\x82\xAC!"), 6u);
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

}  // namespace
}  // namespace keel
