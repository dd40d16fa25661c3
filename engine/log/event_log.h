// EventLog: keel's append-only, hash-chained event log in RocksDB.
//
// Every event gets the next sequence number (dense, from 1) and a hash that
// chains it to the one before. Appending also updates the indexes (by_stream,
// by_id) and the projections (entity state), all in one WriteBatch. There is
// no way to change or remove a stored event. engine/FORMAT.md has the layout.
//
// Thread safety: Append and Sync must be called from one thread at a time.
// Reads are safe from any thread, also while an Append runs; they see whole
// batches only.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/state/entity_state.h"
#include "engine/event.h"
#include "engine/log/reactor.h"
#include "engine/status.h"
#include "engine/log/timer.h"

namespace keel {

class SchemaRegistry;

// How durable an acknowledged append is. The WAL is always written.
enum class SyncMode {
  kAlways,  // fsync before each Append returns
  kBatch,   // group commit: fsync at most every `group_commit_interval`, and on Sync() and close
  kOff,     // never fsync: survives a process crash, not a machine crash
};
Result<SyncMode> ParseSyncMode(std::string_view text);  // "always", "batch", "off"
std::string_view SyncModeName(SyncMode mode);

// How far the rules' cascades may go: part of a rule set's activation, so a
// replay derives under the same bounds as the run it checks.
struct CascadeLimits {
  // Derived events cascade (trigger rules in turn) up to this depth; the
  // next level appends a `rule.halted` event instead.
  int max_depth = 10;
  // At most this many events derived from one input event, its whole
  // cascade included; past it, one `rule.halted` says so and the rest is not
  // appended. A rule set's activation (system workspace) is exempt: arming
  // the timers of every existing task legitimately derives one per task.
  size_t max_derived = 10000;

  bool operator==(const CascadeLimits&) const = default;
};
// As recorded (a ruleset.activated event's `data.limits`, meta key
// `ruleset_limits`): canonical JSON {"max_depth":N,"max_derived":N}.
std::string CascadeLimitsJson(const CascadeLimits& limits);
// The reverse, from a canonical object; a missing member is its default.
// Corruption when a member is not a whole number in range.
Result<CascadeLimits> ParseCascadeLimits(std::string_view object_text);

struct LogOptions {
  SyncMode sync = SyncMode::kBatch;
  std::chrono::milliseconds group_commit_interval{5};
  // Create a database when the folder holds none. Commands that only read
  // leave this off, so pointing them at the wrong folder creates nothing.
  bool create_if_missing = false;
  bool read_only = false;
  // Entity states kept in memory for the reducers.
  size_t entity_cache_entries = 50000;
  // RocksDB memory: all memtables together, and the block cache.
  size_t memtable_budget_bytes = size_t{64} << 20;
  size_t block_cache_bytes = size_t{32} << 20;
  // The cascade limits (CascadeLimits) until a rule set is activated with
  // others; an activation records the limits it runs under.
  int max_cascade_depth = CascadeLimits().max_depth;
  size_t max_derived_per_input = CascadeLimits().max_derived;
  // The event clock (`keel run --clock=events`): before each input event
  // of an Append, the timers due at or before its time fire, in the same
  // batch, so a file of past events fires its timers where they fall.
  bool fire_timers_at_event_time = false;
  // Test hook: called after a batch is built and before it is written. A
  // non-OK result aborts the Append as a failed write would.
  std::function<Status()> before_write;
};

struct AppendRequest {
  Event event;
  // When set, the entity's version before this event must equal it
  // (optimistic concurrency); otherwise the event is rejected as a Conflict.
  std::optional<int64_t> expected_version;
};

// Stored numbers: never renumber.
enum class AppendOutcome : uint8_t { kAppended = 0, kDuplicate = 1, kRejected = 2 };

// A key of the `meta` column family written in the same WriteBatch as an
// Append's events, so that a source's position moves with the events it
// produced (invariant 2). Only a source's position and a sink's cursor may be
// written this way: make them with SourcePositionPut and SinkCursorPut
// (engine/log/stored_positions.h); engine/FORMAT.md has their keys.
struct MetaPut {
  std::string key;
  std::string value;
};

struct AppendResult {
  AppendOutcome outcome = AppendOutcome::kRejected;
  uint64_t seq = 0;  // appended: its seq; duplicate: the seq of the stored original
  Status error;      // rejected: why
};

// A rule set becoming active. The engine knows rule sets only as a hash and
// the bytes of their sources (rules/ loads them).
struct RuleSetActivation {
  std::string hash;                   // 64 lower-case hex digits
  std::string sources;                // stored under the hash, for replays
  std::vector<std::string> rule_ids;  // for the event's data
  std::vector<std::string> files;
  std::string time;                   // RFC 3339: when it takes effect (the next input event's time)
  // The cascade limits the set runs under from here on; nullopt: the ones
  // the log runs under now (LogOptions', or the last activation's).
  std::optional<CascadeLimits> limits;
};

struct LogHead {
  uint64_t seq = 0;  // 0 for an empty log
  Hash hash{};       // all zero for an empty log
};

class EventLog {
 public:
  // Opens the log in `dir`. Fails with FailedPrecondition when `dir` holds no
  // keel database and options.create_if_missing is off.
  static Result<std::unique_ptr<EventLog>> Open(const std::filesystem::path& dir,
                                                const LogOptions& options);
  virtual ~EventLog() = default;

  // Appends the group in order in one WriteBatch. Each event is appended,
  // acknowledged as a duplicate (same id, same content), or rejected with a
  // reason (same id with other content, a version conflict, a `created` for
  // an entity that exists); a rejected event leaves no trace. Returns an error
  // only when the batch could not be written, and then nothing was.
  //
  // `meta` is written in the same WriteBatch, also when no event of the group
  // is appended (all duplicates or rejected, or an empty group). A key
  // outside the allowed prefixes is InvalidArgument and nothing is written.
  virtual Result<std::vector<AppendResult>> Append(std::vector<AppendRequest> group,
                                                   std::vector<MetaPut> meta) = 0;
  Result<std::vector<AppendResult>> Append(std::vector<AppendRequest> group) {
    return Append(std::move(group), {});
  }

  // Plugs rules in: from now on every appended event goes through `reactor`,
  // and the events it derives are validated against `schemas` (which must
  // outlive the log) and appended in the same batch. nullptr turns rules off.
  virtual void SetReactor(std::shared_ptr<Reactor> reactor, const SchemaRegistry* schemas) = 0;

  // Makes `activation` the active rule set: stores its sources under its
  // hash (content-addressed; the same hash with other bytes is Corruption)
  // and appends `ruleset.activated`, in one WriteBatch. Returns the event's
  // seq, or 0 when the set is already the active one (nothing is written).
  virtual Result<uint64_t> ActivateRuleSet(const RuleSetActivation& activation) = 0;
  // The hash of the active rule set, or nullopt when none was activated.
  virtual Result<std::optional<std::string>> ActiveRuleSet() const = 0;
  // The cascade limits recorded with the active rule set: the defaults when
  // none is active or its activation recorded none (logs written before
  // activations recorded them ran under the defaults).
  virtual Result<CascadeLimits> ActiveRuleSetLimits() const = 0;
  // Bounds the cascades of the following appends by `limits` (as an
  // activation does), for a command that continues a log under its active
  // rule set. Same threading rule as Append.
  virtual void SetCascadeLimits(const CascadeLimits& limits) = 0;
  // The sources stored under `hash`; NotFound when none are.
  virtual Result<std::string> RuleSetSources(std::string_view hash) const = 0;

  // Timers (engine/log/timer.h): the `timers` family follows the timer.scheduled,
  // timer.cancelled and timer.fired events the log appends; these read it.
  virtual Result<std::optional<PendingTimer>> GetTimer(std::string_view workspace,
                                                       std::string_view timer_id) const = 0;
  // Visits the pending timers due at or before `up_to_micros`, in fire-time
  // order, until `visit` returns false. Reads them one by one from RocksDB.
  virtual Status ScanDueTimers(int64_t up_to_micros,
                               const std::function<bool(const PendingTimer&)>& visit) const = 0;
  // The fire time of the earliest pending timer; nullopt when none is pending.
  virtual Result<std::optional<int64_t>> NextTimerDue() const = 0;
  // Fires at most `max` of the timers due at or before `up_to_micros`,
  // earliest first, in one WriteBatch: each becomes a timer.fired event
  // (TimerFiredEvent) that rules react to as to any appended event; a timer
  // their cascades schedule that is due too fires in the same call. Returns
  // how many fired. A timer whose timer.fired is already in the log is only
  // removed. Same threading rule as Append.
  virtual Result<size_t> FireDueTimers(int64_t up_to_micros, size_t max) = 0;

  // Makes every acknowledged append durable (fsync of the WAL).
  virtual Status Sync() = 0;

  virtual LogHead Head() const = 0;
  virtual Result<StoredEvent> Read(uint64_t seq) const = 0;
  // The seq of the event `event_id` of `workspace`: ids are unique per
  // workspace, and the same id in another workspace is another event.
  virtual Result<std::optional<uint64_t>> FindSeqById(std::string_view workspace,
                                                      std::string_view event_id) const = 0;
  // The current state of an entity, or nullopt when the log has not seen it.
  virtual Result<std::optional<EntityState>> GetEntity(std::string_view workspace,
                                                       const EntityRef& entity) const = 0;
  // Every workspace that has events, sorted.
  virtual Result<std::vector<std::string>> Workspaces() const = 0;
  // Visits the current state of every entity of `kind` in `workspace` whose
  // id sorts after `after_id` ("" for all), in id order, until `visit`
  // returns false: one prefix range of the `entities` family, for readers
  // that list a kind (the API's OKR tree) without scanning the whole log.
  // Each state comes as its canonical JSON text (EntityState::FromCanonical
  // reads it), so that a reader looking for a member or two of many states
  // (FindCanonicalMember) indexes none of them; valid during the call only.
  virtual Status ForEachEntity(std::string_view workspace, std::string_view kind, std::string_view after_id,
                               const std::function<bool(std::string_view id, std::string_view state)>& visit)
      const = 0;

  // Visits the events with from <= seq <= to in order until `visit` returns false.
  virtual Status Scan(uint64_t from, uint64_t to,
                      const std::function<bool(const StoredEvent&)>& visit) const = 0;
  // The same, undecoded: each event's canonical bytes, for readers that need
  // a member or two of most events (the outbox relay picks the derived ones).
  virtual Status ScanCanonical(uint64_t from, uint64_t to,
                               const std::function<bool(uint64_t seq, std::string_view canonical)>& visit) const = 0;
  // Visits the entities of `workspace` in (kind, id) byte order, from `start`
  // on (itself included; an empty kind starts at the first), each with its
  // current state, until `visit` returns false. For listing pages.
  virtual Status ScanEntities(std::string_view workspace, const EntityRef& start,
                              const std::function<bool(const EntityRef& entity, const EntityState& state)>& visit)
      const = 0;
  // Visits the seqs of one entity's stream in order until `visit` returns false.
  virtual Status ScanStream(std::string_view workspace, const EntityRef& entity,
                            const std::function<bool(uint64_t seq)>& visit) const = 0;
  // Visits the raw keys and values of one column family (see log_format.h),
  // for verification and tests.
  virtual Status ScanColumnFamily(
      std::string_view name,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;
  // Reads a raw value; NotFound when absent.
  virtual Result<std::string> GetRaw(std::string_view column_family, std::string_view key) const = 0;
};

}  // namespace keel
