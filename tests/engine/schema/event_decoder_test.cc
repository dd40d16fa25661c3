#include "engine/schema/event_decoder.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace keel {
namespace {

constexpr std::string_view kValid =
    R"({"specversion":"1.0","id":"ev-1","source":"jira/acme","type":"initiative.status_changed",)"
    R"("time":"2026-03-02T09:00:00Z","subject":"initiative/IN-7","workspace":"acme","actor":"user:alice",)"
    R"("data":{"from":"planned","to":"in_progress"}})";

class EventDecoderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value().release(); }

  Status Decode(std::string_view bytes, DecodeOptions options = {}) {
    EventDecoder decoder(schemas_, options);
    return decoder.DecodeInput(bytes).status();
  }

  static std::string With(std::string_view from, std::string_view to) {
    std::string text(kValid);
    size_t pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    text.replace(pos, from.size(), to);
    return text;
  }

  static void ExpectRejected(const Status& status, std::string_view fragment) {
    EXPECT_TRUE(status.Is(StatusCode::kInvalidArgument) || status.Is(StatusCode::kResourceExhausted))
        << status.ToString();
    EXPECT_NE(status.message().find(fragment), std::string::npos)
        << "message '" << status.message() << "' lacks '" << fragment << "'";
  }

  static SchemaRegistry* schemas_;
};
SchemaRegistry* EventDecoderTest::schemas_ = nullptr;

TEST_F(EventDecoderTest, AValidEventBecomesCanonical) {
  EventDecoder decoder(schemas_);
  std::string spaced(kValid);
  spaced.insert(1, "  ");
  auto event = decoder.DecodeInput(spaced);
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->id, "ev-1");
  EXPECT_EQ(event->entity, (EntityRef{"initiative", "IN-7"}));
  EXPECT_EQ(event->data(), R"({"from":"planned","to":"in_progress"})");
  EXPECT_EQ(event->canonical.substr(0, 30), R"({"actor":"user:alice","data":{)");
  EXPECT_EQ(event->time_micros, 1772442000000000);
  // Decoding the canonical bytes again gives the same bytes.
  auto again = decoder.DecodeInput(event->canonical);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->canonical, event->canonical);
}

TEST_F(EventDecoderTest, MalformedJson) { ExpectRejected(Decode(R"({"id":"x",)"), "malformed JSON"); }

TEST_F(EventDecoderTest, InvalidUtf8) { ExpectRejected(Decode(With("jira/acme", "jira/\xff\xfe")), "invalid UTF-8"); }

TEST_F(EventDecoderTest, AnArrayOrANumberIsNotAnEvent) {
  ExpectRejected(Decode("[1,2]"), "must be a JSON object, got an array");
  ExpectRejected(Decode("42"), "must be a JSON object, got a number");
}

TEST_F(EventDecoderTest, MissingRequiredAttribute) {
  ExpectRejected(Decode(With(R"("time":"2026-03-02T09:00:00Z",)", "")), "time");
}

TEST_F(EventDecoderTest, UnknownEventType) {
  ExpectRejected(Decode(With("initiative.status_changed", "initiative.teleported")), "unknown event type");
}

TEST_F(EventDecoderTest, WrongDataType) {
  ExpectRejected(Decode(With(R"("to":"in_progress")", R"("to":7)")), "data.to");
}

TEST_F(EventDecoderTest, OverTheSizeLimit) {
  DecodeOptions small;
  small.max_event_bytes = 100;
  ExpectRejected(Decode(kValid, small), "over the limit of 100 bytes");
}

TEST_F(EventDecoderTest, EngineAttributesAreRefusedOnInput) {
  ExpectRejected(Decode(With(R"("id":"ev-1",)", R"("id":"ev-1","seq":3,)")), "'seq' is set by the engine");
  ExpectRejected(Decode(With(R"("id":"ev-1",)", R"("id":"ev-1","ruleid":"r",)")), "'ruleid'");
}

TEST_F(EventDecoderTest, DuplicateKeysAreRefused) {
  ExpectRejected(Decode(With(R"("to":"in_progress")", R"("to":"in_progress","to":"done")")), "duplicate key");
}

// simdjson says only "Problem while parsing a number" for the whole event;
// the message names the field, the number and what is wrong with it.
TEST_F(EventDecoderTest, ANumberBeyondADoubleIsNamedWithItsField) {
  ExpectRejected(Decode(With(R"("to":"in_progress")", R"("to":"in_progress","estimate":1e400)")),
                 "data.estimate: number 1e400 is out of range: a number's magnitude must be below 1.8e308");
  ExpectRejected(Decode(With(R"("to":"in_progress")", R"("to":"in_progress","spans":[1,{"x":-2.5e999}])")),
                 "data.spans[1].x: number -2.5e999 is out of range");
}

TEST_F(EventDecoderTest, AnIntegerBeyond64BitsIsNamedWithItsField) {
  ExpectRejected(Decode(With(R"("to":"in_progress")", R"("to":"in_progress","points":123456789012345678901234567890)")),
                 "data.points: number 123456789012345678901234567890 is out of range: an integer must lie between "
                 "-9223372036854775808 and 18446744073709551615");
}

TEST_F(EventDecoderTest, AMalformedNumberIsNamedWithItsField) {
  ExpectRejected(Decode(With(R"("to":"in_progress")", R"("to":"in_progress","share":1.)")),
                 "data.share: '1.' is not a valid JSON number");
}

// A second "type" must not be read as the first one's type (or fail the
// schema of some other type): the message says the key is duplicated.
TEST_F(EventDecoderTest, ADuplicatedTypeKeyIsNamed) {
  Status status = Decode(With(R"("id":"ev-1",)", R"("id":"ev-1","type":"task.created",)"));
  ExpectRejected(status, "duplicate key 'type'");
}

TEST_F(EventDecoderTest, NumbersTakeOneCanonicalForm) {
  EventDecoder decoder(schemas_);
  std::string kr =
      R"({"specversion":"1.0","id":"k","source":"s","type":"key_result.progress_reported","time":"2026-03-02T09:00:00Z",)"
      R"("subject":"key_result/KR-1","workspace":"acme","actor":"user:a","data":{"value":40.0}})";
  auto event = decoder.DecodeInput(kr);
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->data(), R"({"value":40})");
  size_t pos = kr.find("40.0");
  kr.replace(pos, 4, "0.1e1");
  event = decoder.DecodeInput(kr);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->data(), R"({"value":1})");
}

}  // namespace
}  // namespace keel

namespace keel {
namespace {

// ruleset.activated, rule.failed and rule.halted are the engine's own words in
// the audit trail; nobody may send them in, however valid they look.
TEST(EngineEventTypesTest, InputMayNotForgeTheEnginesOwnEvents) {
  auto schemas = SchemaRegistry::LoadEmbedded();
  ASSERT_TRUE(schemas.ok());
  EventDecoder decoder(schemas->get());
  const std::string envelope =
      R"({"specversion":"1.0","id":"f-1","source":"x","subject":"task/T-1","time":"2026-03-02T09:00:00Z",)"
      R"("workspace":"acme","actor":"user:mallory",)";
  const std::vector<std::pair<std::string, std::string>> forged = {
      {"rule.failed", R"({"rule":"r","trigger":"e-1","reason":"forged"})"},
      {"rule.halted", R"({"rule":"r","trigger":"e-1","depth":3,"reason":"forged"})"},
      {"ruleset.activated", R"({"hash":")" + std::string(64, 'a') + R"(","rules":[]})"}};
  for (const auto& [type, data] : forged) {
    std::string text = envelope + R"("type":")" + type + R"(","data":)" + data + "}";
    Result<Event> input = decoder.DecodeInput(text);
    ASSERT_FALSE(input.ok()) << type;
    EXPECT_NE(input.status().message().find("appended by the engine only"), std::string::npos)
        << type << ": " << input.status().ToString();
  }
  std::string derived = envelope + R"("type":"rule.failed","data":{"rule":"r","trigger":"e-1","reason":"real"}})";
  EXPECT_TRUE(decoder.DecodeDerived(derived).ok());
}

}  // namespace
}  // namespace keel
