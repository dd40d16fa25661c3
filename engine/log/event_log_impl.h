// The RocksDB implementation behind EventLog. Private to engine/.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "engine/state/entity_cache.h"
#include "engine/schema/event_decoder.h"
#include "engine/log/reactor.h"
#include "engine/log/staged_ids.h"
#include "engine/log/event_log.h"
#include "engine/mutex.h"

namespace keel {

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
  Status Scan(uint64_t from, uint64_t to,
              const std::function<bool(const StoredEvent&)>& visit) const override;
  Status ScanCanonical(uint64_t from, uint64_t to,
                       const std::function<bool(uint64_t seq, std::string_view canonical)>& visit) const override;
  Status ScanStream(std::string_view workspace, const EntityRef& entity,
                    const std::function<bool(uint64_t seq)>& visit) const override;
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

  // What one Append has staged but not yet written.
  struct PendingBatch {
    // `reserved_bytes`: what the batch is expected to grow to; reserving it
    // spares the copies of a string that doubles its way up to a megabyte
    // (malloc and memcpy under WriteBatch::Put showed in the writer's profile).
    explicit PendingBatch(size_t reserved_bytes = 0) : batch(reserved_bytes) {}

    rocksdb::WriteBatch batch;
    LogHead head;
    std::unordered_map<std::string, EntityState> entities;  // by entity key; written at the end
    StagedIds staged_ids;  // every event staged, by id
    std::set<std::string> new_workspaces;
    size_t appended = 0;
    std::deque<Event> derived;  // derived events live here until the batch is written
    // The cascade of the input event in hand (CascadeLimits::max_derived),
    // counted per workspace the derived events land in: a rule set's
    // activation derives in every workspace, and each has the whole bound.
    struct {
      std::map<std::string, size_t, std::less<>> derived;
      std::set<std::string, std::less<>> limit_reached;
      // The fire time when the input is a timer.fired: what the cascade
      // schedules must be due kMinTimerRearmDelayMicros after it.
      std::optional<int64_t> fired_at;
    } cascade;
    // `timers` keys the batch writes, and the ones it deletes; a key is in
    // at most one of the two.
    std::map<std::string, std::string> timer_puts;
    std::set<std::string> timer_deletes;
    std::string timer_floor;  // the last `F` key fired from the database, if any
    std::optional<int64_t> earliest_due;  // for earliest_due_, once the batch is written
    Status fatal;               // set when the batch must not be written at all
  };

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

  AppendResult AppendOne(AppendRequest& request, const rocksdb::Status& id_status,
                         const rocksdb::PinnableSlice& stored_seq, PendingBatch* pending);
  // Duplicate or conflict against the batch in hand and the stored log;
  // nullopt when the id is new.
  std::optional<AppendResult> CheckIdempotency(const Event& event, const rocksdb::Status& id_status,
                                               const rocksdb::PinnableSlice& stored_seq,
                                               const PendingBatch& pending);
  // Counts one more event derived from the input in hand; false when it
  // must not be appended (CascadeLimits::max_derived), after the
  // first refusal has appended the rule.halted saying so.
  Result<bool> ChargeCascade(const Event& trigger, std::string_view workspace, std::string_view rule_id,
                             std::string_view action_path, std::string_view what, int depth, PendingBatch* pending);
  Result<EntityState> LoadEntityForWrite(const std::string& key, const PendingBatch& pending);
  // Appends `event` to the batch: seq, hash, indexes, and the entity's new state.
  uint64_t Stage(const Event& event, std::string entity_key, EntityState* state, PendingBatch* pending);

  // Cascades (event_log_cascade.cc): what the rules derive from `event`.
  Status ReactTo(const Event& event, const EntityState* before, int depth, PendingBatch* pending);
  Status AppendDerived(const Event& trigger, const DerivedEventRequest& request, int depth,
                       PendingBatch* pending);
  Status AppendRuleEvent(const Event& trigger, std::string_view type, std::string_view rule_id,
                         std::string_view action_path, std::string data_json, int depth,
                         PendingBatch* pending);
  Result<Event> BuildDerivedEvent(const Event& trigger, std::string_view rule_id, std::string_view action_path,
                                  std::string_view type, std::string_view subject, std::string_view data_json,
                                  std::string_view workspace);
  Result<std::optional<EntityState>> ReadPendingState(std::string_view workspace, const EntityRef& entity,
                                                      const PendingBatch& pending);
  // Every entity of one kind in one workspace, the batch's changes included.
  Status ForEachPendingEntity(std::string_view workspace, std::string_view kind, const PendingBatch& pending,
                              const std::function<bool(std::string_view, const EntityState&)>& visit);
  // Timers (event_log_timers.cc).
  // Keeps `timers` in step with a timer.scheduled, timer.cancelled or
  // timer.fired event about to be staged; other events change nothing.
  Status StageTimerChange(const Event& event, PendingBatch* pending);
  void PutTimer(const PendingTimer& timer, PendingBatch* pending);
  void DeleteTimer(const PendingTimer& timer, PendingBatch* pending);
  Result<std::optional<PendingTimer>> ReadPendingTimer(std::string_view workspace, std::string_view timer_id,
                                                       const PendingBatch& pending) const;
  // Every pending timer of `workspace`, the batch's changes included, in id order.
  Status ForEachPendingTimer(std::string_view workspace, const PendingBatch& pending,
                             const std::function<bool(const PendingTimer&)>& visit) const;
  // The tenant workspaces, the batch's new ones included, sorted.
  std::vector<std::string> PendingWorkspaces(const PendingBatch& pending) const;
  // Fires, in the batch, up to `max` timers due at or before `up_to_micros`
  // (the batch's own included); `*taken` counts them.
  Status FireDueInBatch(int64_t up_to_micros, size_t max, PendingBatch* pending, size_t* taken);
  // `now_micros`: the clock the timer fires by (TimerFiredEvent's fired_at).
  Status FireTimer(const PendingTimer& timer, int64_t now_micros, PendingBatch* pending);
  // The event clock's step before an input event at `micros`: fires what is
  // due by then, unless nothing can be (earliest_due_ and the batch's puts).
  Status FireDueBeforeEvent(int64_t micros, PendingBatch* pending);
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
