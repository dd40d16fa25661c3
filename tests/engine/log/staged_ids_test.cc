#include "engine/log/staged_ids.h"

#include <deque>
#include <string>

#include <gtest/gtest.h>

namespace keel {
namespace {

Event WithId(std::string id, std::string workspace = "acme") {
  Event event;
  event.id = std::move(id);
  event.workspace = std::move(workspace);
  return event;
}

TEST(StagedIdsTest, AnEmptyTableFindsNothing) {
  StagedIds ids;
  EXPECT_EQ(ids.Find("acme", "ev-1"), nullptr);
  EXPECT_FALSE(ids.Contains("acme", ""));
}

TEST(StagedIdsTest, FindsEveryIdAfterGrowingPastItsReservation) {
  std::deque<Event> events;  // stable addresses, as the batch's
  StagedIds ids;
  ids.Reserve(4);
  for (int i = 0; i < 1000; ++i) ids.Insert(&events.emplace_back(WithId("ev-" + std::to_string(i))), i + 1);
  for (int i = 0; i < 1000; ++i) {
    const StagedIds::Entry* entry = ids.Find("acme", "ev-" + std::to_string(i));
    ASSERT_NE(entry, nullptr) << i;
    EXPECT_EQ(entry->seq, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(entry->event, &events[i]);
  }
  EXPECT_FALSE(ids.Contains("acme", "ev-1000"));
}

TEST(StagedIdsTest, InsertingAnIdAgainPointsItAtTheNewEvent) {
  Event first = WithId("ev-1"), second = WithId("ev-1");
  StagedIds ids;
  ids.Insert(&first, 1);
  ids.Insert(&second, 7);
  ASSERT_NE(ids.Find("acme", "ev-1"), nullptr);
  EXPECT_EQ(ids.Find("acme", "ev-1")->event, &second);
  EXPECT_EQ(ids.Find("acme", "ev-1")->seq, 7u);
}

TEST(StagedIdsTest, TheSameIdInAnotherWorkspaceIsAnotherEntry) {
  Event in_acme = WithId("ev-1", "acme"), in_globex = WithId("ev-1", "globex");
  StagedIds ids;
  ids.Insert(&in_acme, 1);
  EXPECT_FALSE(ids.Contains("globex", "ev-1"));
  ids.Insert(&in_globex, 2);
  ASSERT_NE(ids.Find("acme", "ev-1"), nullptr);
  EXPECT_EQ(ids.Find("acme", "ev-1")->event, &in_acme);
  ASSERT_NE(ids.Find("globex", "ev-1"), nullptr);
  EXPECT_EQ(ids.Find("globex", "ev-1")->seq, 2u);
}

}  // namespace
}  // namespace keel
