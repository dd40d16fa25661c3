#include "connectors/kafka/kafka_cloudevent.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace keel {
namespace {

KafkaHeaders BinaryHeaders() {
  return {{"ce_specversion", "1.0"}, {"ce_id", "e-1"},          {"ce_source", "jira/acme"},
          {"ce_type", "task.created"}, {"ce_time", "2026-03-02T09:00:00Z"}, {"ce_subject", "task/T-1"},
          {"content-type", "application/json"}};
}

TEST(KafkaCloudEventTest, BinaryModeIsRecognizedBySpecVersionHeader) {
  EXPECT_TRUE(IsBinaryCloudEvent(BinaryHeaders()));
  EXPECT_FALSE(IsBinaryCloudEvent({{"content-type", "application/cloudevents+json"}}));
  EXPECT_FALSE(IsBinaryCloudEvent({}));
}

TEST(KafkaCloudEventTest, HeadersBecomeAttributesAndTheValueBecomesData) {
  auto json = StructuredFromBinary(BinaryHeaders(), R"({"title":"Brief"})", "acme");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  nlohmann::json event = nlohmann::json::parse(*json);
  EXPECT_EQ(event["id"], "e-1");
  EXPECT_EQ(event["type"], "task.created");
  EXPECT_EQ(event["workspace"], "acme");  // from the key
  EXPECT_EQ(event["data"]["title"], "Brief");
  EXPECT_FALSE(event.contains("content-type"));
}

TEST(KafkaCloudEventTest, AWorkspaceHeaderIsKeptAsGiven) {
  KafkaHeaders headers = BinaryHeaders();
  headers.emplace_back("ce_workspace", "globex");
  auto json = StructuredFromBinary(headers, "{}", "acme");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(nlohmann::json::parse(*json)["workspace"], "globex");
}

TEST(KafkaCloudEventTest, AValueThatIsNotOneJsonValueIsRefused) {
  EXPECT_FALSE(StructuredFromBinary(BinaryHeaders(), "not json", "acme").ok());
  // A value cannot smuggle attributes of its own next to `data`.
  EXPECT_FALSE(StructuredFromBinary(BinaryHeaders(), R"({}, "seq": 5)", "acme").ok());
}

TEST(KafkaCloudEventTest, HeaderValuesAreEscaped) {
  KafkaHeaders headers = BinaryHeaders();
  headers.emplace_back("ce_actor", "user:\"quoted\"\n");
  auto json = StructuredFromBinary(headers, "{}", "acme");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(nlohmann::json::parse(*json)["actor"], "user:\"quoted\"\n");
}

TEST(KafkaCloudEventTest, AnAttributeGivenTwiceIsRefused) {
  KafkaHeaders headers = BinaryHeaders();
  headers.emplace_back("ce_id", "e-2");
  auto json = StructuredFromBinary(headers, "{}", "acme");
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("ce_id"), std::string::npos);
}

TEST(KafkaCloudEventTest, AnEmptyValueMeansNoData) {
  auto json = StructuredFromBinary(BinaryHeaders(), "", "acme");
  ASSERT_TRUE(json.ok());
  EXPECT_FALSE(nlohmann::json::parse(*json).contains("data"));
}

}  // namespace
}  // namespace keel
