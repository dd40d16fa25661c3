#include "engine/log/append_follower.h"

#include <algorithm>

namespace keel {

void AppendFollowers::Add(std::shared_ptr<AppendFollower> follower) {
  MutexLock lock(&mu_);
  followers_.push_back(std::move(follower));
}

void AppendFollowers::Remove(const AppendFollower* follower) {
  MutexLock lock(&mu_);
  std::erase_if(followers_, [follower](const auto& held) { return held.get() == follower; });
}

bool AppendFollowers::empty() const {
  MutexLock lock(&mu_);
  return followers_.empty();
}

// The calls below run on a copy, outside the lock: a follower may take its
// own locks, and one removed meanwhile stays alive through the copy.
std::vector<std::shared_ptr<AppendFollower>> AppendFollowers::Snapshot() const {
  MutexLock lock(&mu_);
  return followers_;
}

void AppendFollowers::NotifyAppended(uint64_t head) const {
  for (const auto& follower : Snapshot()) follower->NotifyAppended(head);
}

std::vector<MetaPut> AppendFollowers::TakeCursorUpdates() const {
  std::vector<MetaPut> meta;
  for (const auto& follower : Snapshot()) {
    if (auto update = follower->TakeCursorUpdate()) meta.push_back(std::move(*update));
  }
  return meta;
}

}  // namespace keel
