// The CloudEvents HTTP binding from the examples of its specification
// (cloudevents/spec, cloudevents/bindings/http-protocol-binding.md, 1.0.2),
// completed with the attributes a keel event needs. The expected events are
// written by hand from the binding's rules.
#include "connectors/http/cloudevents_http.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/schema/event_decoder.h"
#include "engine/schema/schema_registry.h"

namespace keel::testing {
namespace {

using Headers = std::map<std::string, std::string>;
using nlohmann::json;

const char* const kKeelAttributes =
    R"("workspace":"acme","subject":"task/T-1","actor":"user:dana")";

// Section 3.1.4's binary example, with keel's attributes added as headers.
Headers BinaryExampleHeaders() {
  return {{"host", "webhook.example.com"},
          {"ce-specversion", "1.0"},
          {"ce-type", "task.created"},
          {"ce-time", "2018-04-05T03:56:24Z"},
          {"ce-id", "1234-1234-1234"},
          {"ce-source", "/mycontext/subcontext"},
          {"ce-workspace", "acme"},
          {"ce-subject", "task/T-1"},
          {"ce-actor", "user:dana"},
          {"content-type", "application/json; charset=utf-8"}};
}

std::vector<std::string> Events(const Headers& headers, const std::string& body) {
  auto events = http::CloudEventsFromHttp(headers, body);
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  return events.ok() ? *events : std::vector<std::string>{};
}

std::string Refusal(const Headers& headers, const std::string& body) {
  auto events = http::CloudEventsFromHttp(headers, body);
  EXPECT_FALSE(events.ok());
  return events.ok() ? "" : events.status().message();
}

TEST(CloudEventsHttpTest, BinaryModeHeadersAreTheAttributesAndTheBodyIsData) {
  std::vector<std::string> events = Events(BinaryExampleHeaders(), "{\n    \"title\": \"Launch\"\n}");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(json::parse(events[0]), json::parse(R"({
    "specversion": "1.0", "type": "task.created", "time": "2018-04-05T03:56:24Z",
    "id": "1234-1234-1234", "source": "/mycontext/subcontext",
    "workspace": "acme", "subject": "task/T-1", "actor": "user:dana",
    "datacontenttype": "application/json", "data": {"title": "Launch"}})"));
}

TEST(CloudEventsHttpTest, BinaryModeHeaderValuesArePercentDecoded) {
  // Section 3.1.3.2's example: "Euro € 😀".
  EXPECT_EQ(http::DecodeHeaderValue("Euro%20%E2%82%AC%20%F0%9F%98%80").value(), "Euro \xE2\x82\xAC \xF0\x9F\x98\x80");
  // Lower-case hex and needless encoding are accepted.
  EXPECT_EQ(http::DecodeHeaderValue("%e2%82%ac%41").value(), "\xE2\x82\xAC" "A");
  // Double-quoted values (older senders) are unquoted first.
  EXPECT_EQ(http::DecodeHeaderValue(R"("say \"hi\" 100%25")").value(), R"(say "hi" 100%)");
  // An overlong encoding of U+0020 must be rejected.
  EXPECT_EQ(http::DecodeHeaderValue("%C0%A0").status().message(), "the percent-decoded value is not UTF-8");
  EXPECT_EQ(http::DecodeHeaderValue("100%").status().message(), "'%' at 3 is not followed by two hex digits");
  EXPECT_EQ(http::DecodeHeaderValue("%zz").status().message(), "'%' at 0 is not followed by two hex digits");

  Headers headers = BinaryExampleHeaders();
  headers["ce-source"] = "/teams/R%26D%20lab";
  std::vector<std::string> events = Events(headers, R"({"title":"x"})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(json::parse(events[0])["source"], "/teams/R&D lab");
  headers["ce-source"] = "%C0%A0";
  EXPECT_EQ(Refusal(headers, "{}"), "header ce-source: the percent-decoded value is not UTF-8");
}

TEST(CloudEventsHttpTest, BinaryModeRefusals) {
  Headers headers = BinaryExampleHeaders();
  EXPECT_EQ(Refusal(headers, ""),
            "binary mode: the body (the event's data) is empty; keel's events carry JSON data");
  EXPECT_EQ(Refusal(headers, "{\"title\": "), Refusal(headers, "{\"title\": "));
  EXPECT_EQ(Refusal(headers, "{\"title\": ").rfind("the body (the event's data) is not JSON: ", 0), 0u);
  // Data must be one JSON value: nothing may follow it.
  EXPECT_EQ(Refusal(headers, R"({"title":"x"},"workspace":"other")").rfind("the body (the event's data) is not JSON", 0),
            0u);
  headers["content-type"] = "text/plain";
  EXPECT_EQ(Refusal(headers, "hello"),
            "binary mode: the Content-Type is \"text/plain\"; keel's events carry JSON data (application/json)");
  headers.erase("content-type");
  EXPECT_EQ(Refusal(headers, "{}"),
            "binary mode: the Content-Type is missing; keel's events carry JSON data (application/json)");
  headers = BinaryExampleHeaders();
  headers["ce-datacontenttype"] = "application/json";
  EXPECT_EQ(Refusal(headers, "{}"),
            "header ce-datacontenttype must not be sent in binary mode; the Content-Type is it");
  headers = BinaryExampleHeaders();
  headers["ce-data"] = "{}";
  EXPECT_EQ(Refusal(headers, "{}"), "header ce-data is not a CloudEvents attribute");
  headers = BinaryExampleHeaders();
  headers.erase("ce-specversion");
  EXPECT_EQ(Refusal(headers, "{}"),
            "not a CloudEvent: the Content-Type is \"application/json; charset=utf-8\" (structured mode needs "
            "application/cloudevents+json) and there is no ce-specversion header (binary mode)");
}

TEST(CloudEventsHttpTest, StructuredModeBodyIsTheEvent) {
  // Section 3.2.4's example, completed.
  std::string body = std::string(R"({
    "specversion" : "1.0",
    "type" : "task.created",
    "id" : "A234-1234-1234", "source" : "/mycontext", "time" : "2018-04-05T17:31:00Z", )") +
                     kKeelAttributes + R"(,
    "data" : { "title" : "Launch" }
})";
  Headers headers{{"content-type", "application/cloudevents+json; charset=utf-8"}};
  std::vector<std::string> events = Events(headers, body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], body);  // the bytes as sent
  // ce- headers beside a structured body are ignored (section 3.2.3).
  headers["ce-id"] = "other";
  EXPECT_EQ(Events(headers, body), std::vector<std::string>{body});
}

TEST(CloudEventsHttpTest, StructuredModeRefusals) {
  Headers headers{{"content-type", "application/cloudevents+json"}};
  EXPECT_EQ(Refusal(headers, "[1]"), "the body (a structured-mode CloudEvent) must be a JSON object");
  EXPECT_EQ(Refusal(headers, "{\"id\":").rfind("the body (a structured-mode CloudEvent) is not JSON: ", 0), 0u);
  headers["content-type"] = "application/cloudevents+avro";
  EXPECT_EQ(Refusal(headers, "{}"),
            "the event format application/cloudevents+avro is not supported; keel reads application/cloudevents+json");
}

TEST(CloudEventsHttpTest, BatchedModeBodyIsAnArrayOfEvents) {
  // Section 3.3.3's example: two events, in order.
  std::string first = std::string(R"({ "specversion" : "1.0", "type" : "task.created", "id" : "b-1",
        "source" : "/mycontext", "time" : "2018-04-05T17:31:00Z", )") + kKeelAttributes +
                      R"(, "data" : { "title" : "a [tricky], \"title\" {" } })";
  std::string second = std::string(R"({ "specversion" : "1.0", "type" : "task.updated", "id" : "b-2",
        "source" : "/mycontext", "time" : "2018-04-05T17:32:00Z", )") + kKeelAttributes +
                       R"(, "data" : { "changes" : [ { "field" : "title", "to" : "b" } ] } })";
  Headers headers{{"content-type", "application/cloudevents-batch+json; charset=utf-8"}};
  std::vector<std::string> events = Events(headers, "[\n    " + first + ",\n    " + second + "\n]\n");
  EXPECT_EQ(events, (std::vector<std::string>{first, second}));
  // "The batch MAY be empty."
  EXPECT_TRUE(Events(headers, "[ ]").empty());
  EXPECT_EQ(Refusal(headers, "{}"), "the body (a batch of CloudEvents) must be a JSON array");
  EXPECT_EQ(Refusal(headers, R"([{"id":"x"}, 3])"), "event 1 of the batch is not a JSON object");
  headers["content-type"] = "application/cloudevents-batch+protobuf";
  EXPECT_EQ(Refusal(headers, "[]"),
            "the batch format application/cloudevents-batch+protobuf is not supported; keel reads "
            "application/cloudevents-batch+json");
}

// The events go on to the ingest path's decoder, which checks them as it
// checks every event: what the binding made of a request is a keel event,
// and a binding-valid CloudEvent that is not a valid keel event is refused.
TEST(CloudEventsHttpTest, EventsAreCheckedByTheIngestDecoder) {
  auto schemas = SchemaRegistry::LoadEmbedded();
  ASSERT_TRUE(schemas.ok()) << schemas.status().ToString();
  DecodeOptions options;
  options.time_window.days = 0;
  EventDecoder decoder(schemas->get(), options);
  std::vector<std::string> events = Events(BinaryExampleHeaders(), R"({"title":"Launch"})");
  ASSERT_EQ(events.size(), 1u);
  auto event = decoder.DecodeInput(events[0]);
  ASSERT_TRUE(event.ok()) << event.status().ToString() << "\n" << events[0];
  EXPECT_EQ(event->id, "1234-1234-1234");
  EXPECT_EQ(event->workspace, "acme");

  Headers no_workspace = BinaryExampleHeaders();
  no_workspace.erase("ce-workspace");
  events = Events(no_workspace, R"({"title":"Launch"})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(decoder.DecodeInput(events[0]).ok());
}

}  // namespace
}  // namespace keel::testing
