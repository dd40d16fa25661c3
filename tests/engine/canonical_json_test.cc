#include "engine/canonical_json.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace keel {
namespace {

// The slow, obvious escaper that AppendJsonString must agree with.
std::string Reference(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\b') out += "\\b";
    else if (c == '\f') out += "\\f";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20) out += std::string("\\u00") + kHex[c >> 4] + kHex[c & 0xf];
    else out += ch;
  }
  return out + "\"";
}

TEST(CanonicalJsonTest, StringsEscapeOnlyQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonQuote("plain text, long enough for several words"), "\"plain text, long enough for several words\"");
  EXPECT_EQ(JsonQuote("caf\xc3\xa9 \xe2\x82\xac / <>"), "\"caf\xc3\xa9 \xe2\x82\xac / <>\"");
  EXPECT_EQ(JsonQuote(std::string("a\0b", 3)), "\"a\\u0000b\"");
  EXPECT_EQ(JsonQuote("\x1f\x7f"), "\"\\u001f\x7f\"");
}

TEST(CanonicalJsonTest, AnEscapeIsFoundAtEveryPositionOfALongString) {
  // Every special character at every offset of strings up to 40 bytes, so
  // that both the word-at-a-time scan and the byte loop after it are covered.
  for (char special : {'"', '\\', '\n', '\x01', '\x1f', ' ', '\x7f', '\x80', '\xff'}) {
    for (size_t length = 1; length <= 40; ++length) {
      for (size_t at = 0; at < length; ++at) {
        std::string text(length, 'x');
        text[at] = special;
        ASSERT_EQ(JsonQuote(text), Reference(text)) << "char " << int(special) << " at " << at << " of " << length;
      }
    }
  }
}

// The members of `text`, "key=value;" each, and whether the walk found the
// text malformed.
std::pair<std::string, bool> Walk(std::string_view text) {
  CanonicalObjectReader reader(text);
  std::string members;
  std::string_view key, value;
  while (reader.Next(&key, &value)) members += std::string(key) + "=" + std::string(value) + ";";
  return {members, reader.malformed()};
}

TEST(CanonicalObjectReaderTest, WalksTheMembersOfACanonicalObject) {
  EXPECT_EQ(Walk(R"({"a":1,"b":"x,}","c":{"d":[1,{"e":null}]}})"),
            std::make_pair(std::string(R"(a=1;b="x,}";c={"d":[1,{"e":null}]};)"), false));
  EXPECT_EQ(Walk("{}"), std::make_pair(std::string(), false));
}

// A damaged record must be found malformed, not read as other members: a
// string that lost its closing quote swallows what follows it.
TEST(CanonicalObjectReaderTest, TextThatIsNotOneCanonicalObjectIsMalformed) {
  for (std::string_view text : {R"({"a":"x,"b":1})", R"({"a":1}{"b":2})", R"({"a":1 "b":2})", R"({"a":1,})",
                                R"({"a":1)", R"({"a":1,"b")", "", "[1]", R"({"a":"x}})"}) {
    EXPECT_TRUE(Walk(text).second) << text;
  }
}

}  // namespace
}  // namespace keel
