// StagedIds: the event ids one Append has staged, with each event and its
// seq, so that a second event with the same id in the same workspace and
// batch is told apart as a duplicate or a conflict. Ids are unique per
// workspace: the same id in another workspace is another event. Private to
// engine/.
//
// An open-addressing table in one vector: the batch inserts one id per
// event and looks each one up once, and a node-based map spent a malloc and
// a free per event on that (`keel bench ingest --events 300000`, perf:
// about 1.1 us of the writer's 13 us per event went to the two maps this
// replaces). Not thread-safe; owned by one PendingBatch.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "engine/event.h"

namespace keel {

class StagedIds {
 public:
  struct Entry {
    const Event* event = nullptr;  // nullptr: an empty slot
    uint64_t seq = 0;
  };

  // Makes room for `count` ids without growing.
  void Reserve(size_t count) {
    size_t wanted = 16;
    while (wanted < 2 * count) wanted *= 2;
    if (wanted > slots_.size()) Rehash(wanted);
  }

  // The entry staged under `id` in `workspace`, or nullptr.
  const Entry* Find(std::string_view workspace, std::string_view id) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = Home(id);; i = (i + 1) & (slots_.size() - 1)) {
      const Entry& slot = slots_[i];
      if (slot.event == nullptr) return nullptr;
      if (slot.event->id == id && slot.event->workspace == workspace) return &slot;
    }
  }
  bool Contains(std::string_view workspace, std::string_view id) const { return Find(workspace, id) != nullptr; }

  // Stages `event` (keyed by its workspace and id, which must outlive this
  // table) at `seq`; an id already staged in the workspace is pointed at the
  // new one.
  // REQUIRES: `event` stays valid as long as this table.
  void Insert(const Event* event, uint64_t seq) {
    if (2 * (size_ + 1) > slots_.size()) Rehash(slots_.empty() ? 16 : 2 * slots_.size());
    for (size_t i = Home(event->id);; i = (i + 1) & (slots_.size() - 1)) {
      Entry& slot = slots_[i];
      if (slot.event == nullptr) ++size_;
      if (slot.event == nullptr || (slot.event->id == event->id && slot.event->workspace == event->workspace)) {
        slot = {event, seq};
        return;
      }
    }
  }

 private:
  // By id alone: the same id in two workspaces only probes one slot further.
  size_t Home(std::string_view id) const { return std::hash<std::string_view>()(id) & (slots_.size() - 1); }

  void Rehash(size_t capacity) {  // REQUIRES: capacity is a power of two
    std::vector<Entry> old;
    old.swap(slots_);
    slots_.assign(capacity, Entry());
    size_ = 0;
    for (const Entry& entry : old) {
      if (entry.event != nullptr) Insert(entry.event, entry.seq);
    }
  }

  std::vector<Entry> slots_;  // a power of two in size, at most half full
  size_t size_ = 0;
};

}  // namespace keel
