// What input events may not name (invariant 8): the workspaces the engine
// keeps for itself, and ids of the form the engine gives its derived events,
// which an input could otherwise take before a rule derives them.
#include <string>

#include <gtest/gtest.h>

#include "engine/derived_ids.h"
#include "engine/schema/event_decoder.h"

namespace keel {
namespace {

constexpr std::string_view kValid =
    R"({"specversion":"1.0","id":"ev-1","source":"jira/acme","type":"task.status_changed",)"
    R"("time":"2026-03-02T09:00:00Z","subject":"task/T-7","workspace":"acme","actor":"user:alice",)"
    R"("data":{"to":"done"}})";

class InputNamespaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value().release(); }

  static Status Decode(std::string_view from, std::string_view to) {
    std::string text(kValid);
    size_t pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    text.replace(pos, from.size(), to);
    EventDecoder decoder(schemas_);
    return decoder.DecodeInput(text).status();
  }

  static SchemaRegistry* schemas_;
};
SchemaRegistry* InputNamespaceTest::schemas_ = nullptr;

TEST_F(InputNamespaceTest, TheSystemWorkspaceIsRefused) {
  Status status = Decode(R"("workspace":"acme")", R"("workspace":"system")");
  EXPECT_TRUE(status.Is(StatusCode::kInvalidArgument)) << status.ToString();
  EXPECT_NE(status.message().find("workspace 'system' is reserved"), std::string::npos) << status.message();
}

TEST_F(InputNamespaceTest, ADerivedEventIdIsRefused) {
  for (std::string id : {"d-0123456789abcdef0123456789abcdef", "f-fedcba9876543210fedcba9876543210",
                         "ruleset-12-0123456789abcdef"}) {
    Status status = Decode(R"("id":"ev-1")", R"("id":")" + id + R"(")");
    EXPECT_TRUE(status.Is(StatusCode::kInvalidArgument)) << id << ": " << status.ToString();
    EXPECT_NE(status.message().find("'" + id + "'"), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("derive"), std::string::npos) << status.message();
  }
}

TEST_F(InputNamespaceTest, IdsThatOnlyLookAlikeAreAccepted) {
  for (std::string id : {"d-1", "d-0123456789ABCDEF0123456789ABCDEF", "d-0123456789abcdef0123456789abcdef0",
                         "x-0123456789abcdef0123456789abcdef", "ruleset-x-0123456789abcdef", "ruleset--0123456789abcdef",
                         "t-0123456789abcdef", "workspace-system"}) {
    Status status = Decode(R"("id":"ev-1")", R"("id":")" + id + R"(")");
    EXPECT_TRUE(status.ok()) << id << ": " << status.ToString();
  }
}

TEST(DerivedEventIdTest, TellsTheEnginesFormsApart) {
  EXPECT_TRUE(IsDerivedEventId("d-00000000000000000000000000000000"));
  EXPECT_TRUE(IsDerivedEventId("ruleset-1-aaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(IsDerivedEventId("ruleset-1-aaaaaaaaaaaaaaa"));
  EXPECT_FALSE(IsDerivedEventId("f-0000000000000000000000000000000g"));
  EXPECT_FALSE(IsDerivedEventId(""));
}

}  // namespace
}  // namespace keel
