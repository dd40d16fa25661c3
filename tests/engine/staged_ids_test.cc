#include "engine/staged_ids.h"

#include <deque>
#include <string>

#include <gtest/gtest.h>

namespace keel {
namespace {

Event WithId(std::string id) {
  Event event;
  event.id = std::move(id);
  return event;
}

TEST(StagedIdsTest, AnEmptyTableFindsNothing) {
  StagedIds ids;
  EXPECT_EQ(ids.Find("ev-1"), nullptr);
  EXPECT_FALSE(ids.Contains(""));
}

TEST(StagedIdsTest, FindsEveryIdAfterGrowingPastItsReservation) {
  std::deque<Event> events;  // stable addresses, as the batch's
  StagedIds ids;
  ids.Reserve(4);
  for (int i = 0; i < 1000; ++i) ids.Insert(&events.emplace_back(WithId("ev-" + std::to_string(i))), i + 1);
  for (int i = 0; i < 1000; ++i) {
    const StagedIds::Entry* entry = ids.Find("ev-" + std::to_string(i));
    ASSERT_NE(entry, nullptr) << i;
    EXPECT_EQ(entry->seq, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(entry->event, &events[i]);
  }
  EXPECT_FALSE(ids.Contains("ev-1000"));
}

TEST(StagedIdsTest, InsertingAnIdAgainPointsItAtTheNewEvent) {
  Event first = WithId("ev-1"), second = WithId("ev-1");
  StagedIds ids;
  ids.Insert(&first, 1);
  ids.Insert(&second, 7);
  ASSERT_NE(ids.Find("ev-1"), nullptr);
  EXPECT_EQ(ids.Find("ev-1")->event, &second);
  EXPECT_EQ(ids.Find("ev-1")->seq, 7u);
}

}  // namespace
}  // namespace keel
