// The sending side of the CloudEvents HTTP binding (cloudevents/spec,
// cloudevents/bindings/http-protocol-binding.md, 1.0.2). The expected headers
// are written by hand from the binding: section 3.1.3.1 (names), 3.1.3.2
// (percent-encoding, with its "Euro € 😀" example), 3.1.4 (the binary
// example's attributes), 3.2.1 (the structured Content-Type). Each event
// also goes back through the decoder (CloudEventsFromHttp).
#include "connectors/http/cloudevents_http.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace keel::testing {
namespace {

using nlohmann::json;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Section 3.1.4's example event in canonical form (keys sorted, compact),
// with the extension of the core spec's example and a subject that needs
// encoding.
const char* const kSpecEvent =
    R"({"comexampleextension1":"value","data":{"title":"Launch"},"id":"1234-1234-1234",)"
    R"("source":"/mycontext/subcontext","specversion":"1.0","subject":"Euro € 😀",)"
    R"("time":"2018-04-05T03:56:24Z","type":"com.example.someevent"})";

// As HttpRequest hands headers to the decoder: names lower-cased.
std::map<std::string, std::string> Received(const HeaderList& headers) {
  std::map<std::string, std::string> received;
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    received[lower] = value;
  }
  return received;
}

json DecodedBack(const http::HttpCloudEvent& sent) {
  auto events = http::CloudEventsFromHttp(Received(sent.headers), sent.body);
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  if (!events.ok() || events->size() != 1) return nullptr;
  return json::parse(events->front());
}

TEST(CloudEventsHttpEncodeTest, HeaderValuesArePercentEncodedAsSection3132Says) {
  EXPECT_EQ(http::EncodeHeaderValue("Euro € 😀"), "Euro%20%E2%82%AC%20%F0%9F%98%80");
  EXPECT_EQ(http::EncodeHeaderValue(R"(100% "sure")"), "100%25%20%22sure%22");
  EXPECT_EQ(http::EncodeHeaderValue("a\tb\x7f"), "a%09b%7F");
  EXPECT_EQ(http::EncodeHeaderValue("/mycontext/subcontext?x=1&y=[2]~!"), "/mycontext/subcontext?x=1&y=[2]~!");
  EXPECT_EQ(http::EncodeHeaderValue(""), "");
}

TEST(CloudEventsHttpEncodeTest, BinaryModeHeadersAreTheAttributesAndTheBodyIsData) {
  auto sent = http::BinaryCloudEvent(kSpecEvent);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  HeaderList expected = {{"ce-comexampleextension1", "value"},
                         {"ce-id", "1234-1234-1234"},
                         {"ce-source", "/mycontext/subcontext"},
                         {"ce-specversion", "1.0"},
                         {"ce-subject", "Euro%20%E2%82%AC%20%F0%9F%98%80"},
                         {"ce-time", "2018-04-05T03:56:24Z"},
                         {"ce-type", "com.example.someevent"},
                         {"Content-Type", "application/json"}};
  EXPECT_EQ(sent->headers, expected);
  EXPECT_EQ(sent->body, R"({"title":"Launch"})");
}

TEST(CloudEventsHttpEncodeTest, BinaryModeRoundTripsThroughTheDecoder) {
  auto sent = http::BinaryCloudEvent(kSpecEvent);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  json expected = json::parse(kSpecEvent);
  expected["datacontenttype"] = "application/json";  // what the decoder reads from the Content-Type
  EXPECT_EQ(DecodedBack(*sent), expected);
}

TEST(CloudEventsHttpEncodeTest, BinaryModeWritesNumbersAndBooleansAsTheirStringForm) {
  auto sent = http::BinaryCloudEvent(
      R"({"count":5,"data":{},"datacontenttype":"application/json","flag":true,"gone":null,"id":"e-1"})");
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  HeaderList expected = {
      {"ce-count", "5"}, {"ce-flag", "true"}, {"ce-id", "e-1"}, {"Content-Type", "application/json"}};
  EXPECT_EQ(sent->headers, expected);
  EXPECT_EQ(sent->body, "{}");
}

TEST(CloudEventsHttpEncodeTest, BinaryModeEscapedStringsRoundTrip) {
  auto sent = http::BinaryCloudEvent(R"({"data":{"a":1},"id":"e-\"1\"","specversion":"1.0","subject":"line\nbreak\\ 100%"})");
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(Received(sent->headers).at("ce-id"), "e-%221%22");
  EXPECT_EQ(Received(sent->headers).at("ce-subject"), "line%0Abreak\\%20100%25");
  EXPECT_EQ(DecodedBack(*sent), json::parse(R"({"data":{"a":1},"datacontenttype":"application/json",
                                                "id":"e-\"1\"","specversion":"1.0","subject":"line\nbreak\\ 100%"})"));
}

TEST(CloudEventsHttpEncodeTest, BinaryModeRefusesWhatAHeaderCannotCarry) {
  auto nested = http::BinaryCloudEvent(R"({"data":{},"id":"e-1","tags":["a"]})");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().message(), "attribute 'tags' is an object or a list, which a binary-mode header cannot carry");
  auto no_data = http::BinaryCloudEvent(R"({"id":"e-1"})");
  ASSERT_FALSE(no_data.ok());
  EXPECT_EQ(no_data.status().message(), "the CloudEvent has no 'data' for the body of a binary-mode request");
  auto not_object = http::BinaryCloudEvent("[1]");
  ASSERT_FALSE(not_object.ok());
  EXPECT_EQ(not_object.status().message(), "a CloudEvent must be a compact JSON object");
}

TEST(CloudEventsHttpEncodeTest, StructuredModeIsTheEventWithTheFormatsContentType) {
  auto sent = http::StructuredCloudEvent(kSpecEvent);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  HeaderList expected = {{"Content-Type", "application/cloudevents+json; charset=utf-8"}};
  EXPECT_EQ(sent->headers, expected);
  EXPECT_EQ(sent->body, kSpecEvent);
  EXPECT_EQ(DecodedBack(*sent), json::parse(kSpecEvent));
  EXPECT_FALSE(http::StructuredCloudEvent("[]").ok());
}

}  // namespace
}  // namespace keel::testing
