// PendingBatch: what one write to the log has staged and not yet written
// (events, entity states, timers, new workspaces), the reads that must see
// it (an entity or a timer as the batch leaves it), and the final write, in
// one rocksdb::WriteBatch or not at all (invariant 2). The bottom of the
// append path: it calls nothing of EventLogImpl's but the log's public reads.
// Private to engine/log. Not thread-safe: owned by the writer.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "engine/log/event_log.h"
#include "engine/log/staged_ids.h"
#include "engine/state/entity_cache.h"

namespace keel {

// The log a batch is staged against: the database and its families, for
// reads and the final write, and the writer's memory of the log, which the
// batch reads and moves on once it is written. All of it is EventLogImpl's.
struct BatchTarget {
  const EventLog* log = nullptr;  // stored entities and timers
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* events = nullptr;
  rocksdb::ColumnFamilyHandle* by_stream = nullptr;
  rocksdb::ColumnFamilyHandle* by_id = nullptr;
  rocksdb::ColumnFamilyHandle* entities = nullptr;
  rocksdb::ColumnFamilyHandle* timers = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  EntityCache* entity_cache = nullptr;
  std::set<std::string, std::less<>>* known_workspaces = nullptr;
  // No pending `F` key of the database is below it (EventLogImpl::timer_floor_).
  std::string* timer_floor = nullptr;
  // No pending timer of the database is due before it (EventLogImpl::earliest_due_).
  std::optional<int64_t>* earliest_due = nullptr;
};

class PendingBatch {
 public:
  // `reserved_bytes`: what the batch is expected to grow to; reserving it
  // spares the copies of a string that doubles its way up to a megabyte
  // (malloc and memcpy under WriteBatch::Put showed in the writer's profile).
  PendingBatch(const BatchTarget& target, LogHead head, size_t reserved_bytes = 0);
  PendingBatch(const PendingBatch&) = delete;
  PendingBatch& operator=(const PendingBatch&) = delete;

  // Makes room for `count` events without growing.
  void Reserve(size_t count);

  // Appends `event` to the batch: seq, hash, indexes, and (when `state` is
  // not null) the entity's new state under `entity_key`. Returns the seq.
  // REQUIRES: `event` outlives the batch (derived events: KeepDerived).
  uint64_t Stage(const Event& event, std::string entity_key, EntityState* state);
  // Holds a derived event until the batch is written; the last one can be
  // dropped again while nothing of it is staged.
  Event& KeepDerived(Event event) { return derived_.emplace_back(std::move(event)); }
  void DropLastDerived() { derived_.pop_back(); }

  // The state of the entity under `key` for an event about to change it:
  // the batch's, else the writer's cache's (moved out), else the stored one.
  Result<EntityState> LoadEntityForWrite(const std::string& key);
  // Puts a state loaded for write back into the batch, unchanged, when the
  // event that loaded it is not staged after all.
  void PutBackEntity(const std::string& key, EntityState state) { entities_[key] = std::move(state); }
  // The state the batch gives the entity under `key`, or null when it gives none.
  const EntityState* StagedEntity(const std::string& key) const;
  // An entity as the batch leaves it, for rules to read.
  Result<std::optional<EntityState>> ReadEntity(std::string_view workspace, const EntityRef& entity) const;
  // Every entity of one kind in one workspace, the batch's changes included.
  Status ForEachEntity(std::string_view workspace, std::string_view kind,
                       const std::function<bool(std::string_view, const EntityState&)>& visit) const;

  // Keeps `timers` in step with a timer.scheduled, timer.cancelled or
  // timer.fired event about to be staged; other events change nothing.
  Status StageTimerChange(const Event& event);
  void DeleteTimer(const PendingTimer& timer);
  // A timer as the batch leaves it.
  Result<std::optional<PendingTimer>> ReadTimer(std::string_view workspace, std::string_view timer_id) const;
  // Every pending timer of `workspace`, the batch's changes included, in id order.
  Status ForEachTimer(std::string_view workspace, const std::function<bool(const PendingTimer&)>& visit) const;
  // The `timers` keys the batch writes; a key the batch deletes is not in it.
  const std::map<std::string, std::string>& timer_puts() const { return timer_puts_; }
  bool DeletesTimerKey(const std::string& key) const { return timer_deletes_.count(key) != 0; }

  // Aliases (engine/log/aliases.h): the keel entity (KIND/ID) the name
  // `name` of a tool's item is linked to in `workspace`, as the batch leaves
  // it; nullopt when none is.
  Result<std::optional<std::string>> ReadAlias(std::string_view workspace, std::string_view name) const;
  // Keeps the aliases in step with an event about to be staged: a
  // `*.linked` with relation external points its names at its entity (a
  // later link of the same name moves it); other events change nothing.
  void StageAliases(const Event& event);

  // The tenant workspaces, the batch's new ones included, sorted.
  std::vector<std::string> Workspaces() const;
  const StagedIds& staged_ids() const { return staged_ids_; }
  const LogHead& head() const { return head_; }
  // Something to write: an event staged, or a timer changed.
  bool HasChanges() const { return appended_ != 0 || !timer_puts_.empty() || !timer_deletes_.empty(); }
  // A key of its own (meta, rule-set sources) written with the batch.
  void Put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key, const rocksdb::Slice& value) {
    batch_.Put(family, key, value);
  }

  // Adds the entity states, timers, new workspaces and the head to the batch
  // and writes it. Once it is written, and only then, the writer's memory of
  // the log moves on (entity cache, known workspaces, timer floor and
  // earliest due); the caller moves its head.
  Status Write(const rocksdb::WriteOptions& options);

  // The cascade of the input event in hand (CascadeLimits::max_derived),
  // counted per workspace the derived events land in: a rule set's
  // activation derives in every workspace, and each has the whole bound.
  // Kept by the cascade (event_log_cascade.cc).
  struct {
    std::map<std::string, size_t, std::less<>> derived;
    std::set<std::string, std::less<>> limit_reached;
    // The fire time when the input is a timer.fired: what the cascade
    // schedules must be due kMinTimerRearmDelayMicros after it.
    std::optional<int64_t> fired_at;
  } cascade;
  // Kept by the firing of due timers (event_log_timers.cc).
  std::string timer_floor;               // the last `F` key fired from the database, if any
  std::optional<int64_t> earliest_due;  // for the writer's, once the batch is written

 private:
  void PutTimer(const PendingTimer& timer);
  // Moves the writer's memory of the log on, after the write.
  void MoveWriterOn();

  const BatchTarget target_;
  rocksdb::WriteBatch batch_;
  LogHead head_;
  std::unordered_map<std::string, EntityState> entities_;  // by entity key; written at the end
  StagedIds staged_ids_;  // every event staged, by id
  std::set<std::string> new_workspaces_;
  size_t appended_ = 0;
  std::deque<Event> derived_;  // derived events live here until the batch is written
  // `timers` keys the batch writes, and the ones it deletes; a key is in
  // at most one of the two.
  std::map<std::string, std::string> timer_puts_;
  std::set<std::string> timer_deletes_;
  // `meta` alias keys the batch writes, with the entity each names.
  std::map<std::string, std::string, std::less<>> alias_puts_;
};

}  // namespace keel
