// EntityCache: the entity states the reducers touched most recently, so that
// an event about a busy entity does not read its state back from RocksDB.
// Not thread-safe; owned by the log's single writer.
#pragma once

#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "engine/state/entity_state.h"

namespace keel {

class EntityCache {
 public:
  explicit EntityCache(size_t capacity) : capacity_(capacity) {}

  // The cached state or nullptr, without touching the recency order.
  const EntityState* Peek(const std::string& key) const {
    auto it = index_.find(key);
    return it == index_.end() || it->second->second.empty() ? nullptr : &it->second->second;
  }

  // Moves the cached state out, for a writer that will Put it back once its
  // batch is written (or drop it when the batch fails). The entry stays,
  // empty, which reads as absent: Put refills it without allocating. (Every
  // real state has members, at least id, kind and workspace.)
  std::optional<EntityState> Take(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end() || it->second->second.empty()) return std::nullopt;
    EntityState state = std::move(it->second->second);
    it->second->second = EntityState();
    return state;
  }

  void Put(const std::string& key, EntityState state) {
    if (capacity_ == 0) return;
    auto it = index_.find(key);
    if (it != index_.end()) {
      it->second->second = std::move(state);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(key, std::move(state));
    index_.emplace(key, order_.begin());
    if (index_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

  void Clear() {
    index_.clear();
    order_.clear();
  }

 private:
  using Entry = std::pair<std::string, EntityState>;
  size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace keel
