// The RocksDB implementation behind EventLog. Private to engine/.
#pragma once

#include <map>
#include <set>

#include <rocksdb/db.h>

#include "engine/state/entity_cache.h"
#include "engine/schema/event_decoder.h"
#include "engine/log/reactor.h"
#include "engine/log/event_log.h"
#include "engine/mutex.h"

namespace keel {

class PendingBatch;  // engine/log/pending_batch.h

class EventLogImpl final : public EventLog {
 public:
  EventLogImpl(std::filesystem::path dir, LogOptions options);
  ~EventLogImpl() override;

  // Opens or creates the database; called once by EventLog::Open.
  Status OpenDatabase();

  using EventLog::Append;
  Result<std::vector<AppendResult>> Append(std::vector<AppendRequest> group, std::vector<MetaPut> meta) override;
  Status Sync() override;

  LogHead Head() const override;
  Result<StoredEvent> Read(uint64_t seq) const override;
  Result<std::optional<uint64_t>> FindSeqById(std::string_view workspace, std::string_view event_id) const override;
  Result<std::optional<EntityState>> GetEntity(std::string_view workspace,
                                               const EntityRef& entity) const override;
  Result<std::vector<std::string>> Workspaces() const override;
  Status ForEachEntity(std::string_view workspace, std::string_view kind, std::string_view after_id,
                       const std::function<bool(std::string_view id, std::string_view state)>& visit)
      const override;
  Status Scan(uint64_t from, uint64_t to,
              const std::function<bool(const StoredEvent&)>& visit) const override;
  Status ScanCanonical(uint64_t from, uint64_t to,
                       const std::function<bool(uint64_t seq, std::string_view canonical)>& visit) const override;
  Status ScanStream(std::string_view workspace, const EntityRef& entity,
                    const std::function<bool(uint64_t seq)>& visit) const override;
  Status ScanEntities(std::string_view workspace, const EntityRef& start,
                      const std::function<bool(const EntityRef& entity, const EntityState& state)>& visit)
      const override;
  Status ScanColumnFamily(
      std::string_view name,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const override;
  Result<std::string> GetRaw(std::string_view column_family, std::string_view key) const override;
  Result<uint64_t> ActivateRuleSet(const RuleSetActivation& activation) override;
  Result<std::optional<std::string>> ActiveRuleSet() const override;
  Result<CascadeLimits> ActiveRuleSetLimits() const override;
  void SetCascadeLimits(const CascadeLimits& limits) override { limits_ = limits; }
  Result<std::string> RuleSetSources(std::string_view hash) const override;
  Result<std::optional<PendingTimer>> GetTimer(std::string_view workspace, std::string_view timer_id) const override;
  Status ScanDueTimers(int64_t up_to_micros, const std::function<bool(const PendingTimer&)>& visit) const override;
  Result<std::optional<int64_t>> NextTimerDue() const override;
  Result<size_t> FireDueTimers(int64_t up_to_micros, size_t max) override;

 private:
  // The raw `events` records with from <= seq <= to, in order, until `visit`
  // returns false or an error.
  Status ScanRecords(uint64_t from, uint64_t to,
                     const std::function<Result<bool>(uint64_t seq, std::string_view record)>& visit) const;

  // Open-time checks (event_log_checks.cc).
  // Refuses, from a read-only look, a log a writer must not open read-write.
  Status ProbeBeforeWriting(const rocksdb::DBOptions& db_options) const;
  Status ProbeUnfinishedCreation(const rocksdb::DBOptions& db_options, const std::vector<std::string>& names) const;
  // The head record names the last stored event, and the log holds the durable head.
  Status CheckFitForWriting() const;
  Status CheckHeadIsLastEvent() const;
  // Why RocksDB could not open an existing database, in keel's words.
  Status DescribeOpenFailure(const rocksdb::Status& s) const;
  Status DescribeMissingFormat();
  // Closes without the final sync and flush, which RocksDB cannot do after a failed write.
  void CloseAfterWriteFailure();
  // Rewrites the durable head file when the head moved: at most once a
  // second unless `force` (Sync and close force it).
  void RecordDurableHead(bool force);

  Status CheckHoldsKeelLog();
  Status CheckOnlyKeelFamilies(const rocksdb::DBOptions& db_options) const;
  bool IsUnfinishedCreation() const;
  Status CreateLayout();
  Status LoadHead();
  rocksdb::ColumnFamilyHandle* Family(std::string_view name) const;

  // The by_id entries of a whole group, looked up in one MultiGet.
  struct StoredIds {
    std::vector<rocksdb::PinnableSlice> values;
    std::vector<rocksdb::Status> statuses;
  };
  StoredIds LookUpIds(const std::vector<AppendRequest>& group);

  // Stages one input event with its effects; an error: the batch must not
  // be written (a reactor's error).
  Result<AppendResult> AppendOne(AppendRequest& request, const rocksdb::Status& id_status,
                                 const rocksdb::PinnableSlice& stored_seq, PendingBatch* pending);
  // Duplicate or conflict against the batch in hand and the stored log;
  // nullopt when the id is new.
  std::optional<AppendResult> CheckIdempotency(const Event& event, const rocksdb::Status& id_status,
                                               const rocksdb::PinnableSlice& stored_seq,
                                               const PendingBatch& pending);

  // Where an input and a derived event part ways when they cannot be staged.
  enum class EventOrigin { kInput, kDerived };
  struct StageRequest {
    EventOrigin origin = EventOrigin::kInput;
    // Inputs only: the version the entity must be at (AppendRequest's).
    std::optional<int64_t> expected_version;
    int depth = 0;      // in the cascade: 0 for an input, a timer.fired, an activation
    bool react = true;  // whether the rules (when plugged in) see the event
  };
  struct Staged {
    uint64_t seq = 0;
    Status refused;  // not OK: the event is not staged, and this says why
  };
  // The one way an event enters the batch, input or derived (event_log_cascade.cc):
  // load its entity for write, reduce, stage its timer changes, stage it,
  // react to it. `refused`: the expected version, the reducer or the timers
  // refuse it, or (inputs) its entity cannot be read; nothing of it is
  // staged. An error: the batch must not be written (a reactor's error; for
  // a derived event, an entity that cannot be read).
  // REQUIRES: `event` outlives the batch.
  Result<Staged> StageWithEffects(const Event& event, const StageRequest& request, PendingBatch* pending);
  // Cascades (event_log_cascade.cc): what the rules derive from `event`.
  Status ReactTo(const Event& event, const EntityState* before, int depth, PendingBatch* pending);
  // Counts one more event derived from the input in hand; false when it
  // must not be appended (CascadeLimits::max_derived), after the
  // first refusal has appended the rule.halted saying so.
  Result<bool> ChargeCascade(const Event& trigger, std::string_view workspace, std::string_view rule_id,
                             std::string_view action_path, std::string_view what, int depth, PendingBatch* pending);
  Status AppendDerived(const Event& trigger, const DerivedEventRequest& request, int depth,
                       PendingBatch* pending);
  Status AppendRuleEvent(const Event& trigger, std::string_view type, std::string_view rule_id,
                         std::string_view action_path, std::string data_json, int depth,
                         PendingBatch* pending);
  Result<Event> BuildDerivedEvent(const Event& trigger, std::string_view rule_id, std::string_view action_path,
                                  std::string_view type, std::string_view subject, std::string_view data_json,
                                  std::string_view workspace);
  // Timers (event_log_timers.cc).
  // Fires, in the batch, up to `max` timers due at or before `up_to_micros`
  // (the batch's own included); `*taken` counts them.
  Status FireDueInBatch(int64_t up_to_micros, size_t max, PendingBatch* pending, size_t* taken);
  // `now_micros`: the clock the timer fires by (TimerFiredEvent's fired_at).
  Status FireTimer(const PendingTimer& timer, int64_t now_micros, PendingBatch* pending);
  // The event clock's step before an input event at `micros`: fires what is
  // due by then, unless nothing can be (earliest_due_ and the batch's puts).
  Status FireDueBeforeEvent(int64_t micros, PendingBatch* pending);
  // The batch's side of the log (event_log_write.cc): a new batch against
  // it, and its write, after which the head moves on.
  PendingBatch NewBatch(size_t reserved_bytes = 0);
  Status WritePending(PendingBatch* pending);
  void MaybeGroupCommit();
  void SetReactor(std::shared_ptr<Reactor> reactor, const SchemaRegistry* schemas) override;

  const std::filesystem::path dir_;
  const LogOptions options_;
  // The cascade limits in force: LogOptions', then the last activation's.
  CascadeLimits limits_;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families_;

  mutable Mutex head_mu_;
  LogHead head_ GUARDED_BY(head_mu_);  // written by Append only

  // Owned by the writer (Append); not touched by reads.
  EntityCache entity_cache_;
  std::shared_ptr<Reactor> reactor_;
  std::unique_ptr<EventDecoder> derived_decoder_;
  std::set<std::string, std::less<>> known_workspaces_;
  // No pending `F` key of the database is below it: due scans seek here
  // rather than to the first `F` key, past the deletes of timers fired
  // before (RocksDB skips tombstones one by one until it compacts them).
  std::string timer_floor_;
  // No pending timer of the database is due before it (nullopt: not known);
  // lets the event clock skip the due scan for most events.
  std::optional<int64_t> earliest_due_;
  std::chrono::steady_clock::time_point last_sync_;
  std::chrono::steady_clock::time_point last_durable_record_{};
  uint64_t last_durable_seq_ = 0;  // the seq the durable head file last got
  bool unsynced_writes_ = false;
  // Set on the read-only probe a writer opens first (ProbeBeforeWriting);
  // it finds the creation a killed writer left unfinished, which the writer may finish.
  bool probing_for_writer_ = false;
  bool unfinished_creation_ = false;
  // The first failed write: the log takes no more (Append, Sync).
  Status write_failure_;
  bool wrote_since_open_ = false;
};

}  // namespace keel
