// AppendFollower: what reads a log behind its one writer and keeps its own
// position in that log (a sink's cursor), so that the position moves in the
// writer's WriteBatches and never needs a second writer. The writer calls
// NotifyAppended after each Append (the follower looks now, not at its next
// poll) and puts every follower's TakeCursorUpdate into its next Append's
// meta, or into a meta-only Append when it has nothing else to write.
//
// AppendFollowers: the followers of one writer, added and removed from any
// thread while the writer runs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/log/event_log.h"
#include "engine/mutex.h"

namespace keel {

class AppendFollower {
 public:
  virtual ~AppendFollower() = default;
  // The writer appended up to `head`. Must not block.
  virtual void NotifyAppended(uint64_t head) = 0;
  // The position to store with the writer's next Append, when it moved since
  // the last call. Thread-safe; must not block.
  virtual std::optional<MetaPut> TakeCursorUpdate() = 0;
};

class AppendFollowers {
 public:
  void Add(std::shared_ptr<AppendFollower> follower);
  // A position it had not handed over yet is dropped: take it first (its
  // owner stores it) when it matters.
  void Remove(const AppendFollower* follower);
  bool empty() const;

  void NotifyAppended(uint64_t head) const;
  // Every follower's moved position, for one Append's meta.
  std::vector<MetaPut> TakeCursorUpdates() const;

 private:
  std::vector<std::shared_ptr<AppendFollower>> Snapshot() const;

  mutable Mutex mu_;
  std::vector<std::shared_ptr<AppendFollower>> followers_ GUARDED_BY(mu_);
};

}  // namespace keel
