#include "rules/audit/replay.h"

#include <memory>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/audit/log_compare.h"
#include "engine/bounded_queue.h"
#include "engine/canonical_json.h"
#include "engine/log/event_record.h"
#include "engine/schema/schema_registry.h"
#include "rules/react/attach_rule_set.h"
#include "rules/react/ruleset_store.h"

namespace keel::rules {
namespace {

constexpr size_t kGroup = 1000;

// Rule sets as the replay activates them: loaded once per hash, each with
// the schemas its custom event types extend (they live as long as the replay).
class ActiveRules {
 public:
  ActiveRules(const EventLog& source, EventLog& target) : source_(source), target_(target) {}

  Status Activate(const Event& activation) {
    nlohmann::json data = nlohmann::json::parse(activation.data(), nullptr, false);
    if (!data.is_object() || !data.contains("hash") || !data["hash"].is_string()) {
      return Status::Corruption("ruleset.activated " + activation.id + " has no hash");
    }
    std::string hash = data["hash"].get<std::string>();
    KEEL_ASSIGN_OR_RETURN(RuleSet rules, LoadStoredRuleSet(source_, hash));
    KEEL_ASSIGN_OR_RETURN(std::unique_ptr<SchemaRegistry> schemas, SchemaRegistry::LoadEmbedded());
    KEEL_RETURN_IF_ERROR(rules.RegisterCustomEventTypes(*schemas));
    AttachRuleSet(target_, rules, schemas.get());
    schemas_.push_back(std::move(schemas));
    // The limits it ran under: a run with --max-depth or --max-derived
    // derived under them, and so must the replay (absent: the defaults).
    std::string_view recorded_limits = FindCanonicalMember(activation.data(), "limits");
    CascadeLimits limits;
    if (!recorded_limits.empty()) {
      Result<CascadeLimits> parsed = ParseCascadeLimits(recorded_limits);
      if (!parsed.ok()) return parsed.status().WithContext("ruleset.activated " + activation.id);
      limits = *parsed;
    }
    KEEL_ASSIGN_OR_RETURN(uint64_t seq, ActivateRuleSet(target_, rules, activation.time, limits));
    (void)seq;  // 0 when the replay's log already had it active: the comparison shows it
    return Status::OK();
  }

 private:
  const EventLog& source_;
  EventLog& target_;
  std::vector<std::unique_ptr<SchemaRegistry>> schemas_;
};

Status Flush(EventLog& target, std::vector<AppendRequest>* group) {
  if (group->empty()) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(std::vector<AppendResult> results, target.Append(std::move(*group)));
  group->clear();
  (void)results;  // refusals show up as divergences
  return Status::OK();
}

// The source's events, read and decoded on a thread of its own and handed
// over in batches: reading and decoding are about a sixth of a replay's
// work, and the appends leave the second core idle most of the time.
class SourceReader {
 public:
  struct Batch {
    std::vector<uint64_t> seqs;
    std::vector<Event> events;
  };

  SourceReader(const EventLog& source, uint64_t last) : thread_([this, &source, last] { Read(source, last); }) {}
  ~SourceReader() {
    queue_.Abandon();  // a replay that stops early stops the reader too
    thread_.join();
  }

  // The next batch; false at the end or on an error (see status()).
  bool Next(Batch* batch) { return queue_.Pop(batch); }
  Status status() const { return queue_.status(); }

 private:
  void Read(const EventLog& source, uint64_t last) {
    Batch batch;
    Status failed;
    Status scanned = source.ScanCanonical(1, last, [&](uint64_t seq, std::string_view canonical) {
      Result<Event> decoded = EventFromCanonical(std::string(canonical));
      if (!decoded.ok()) {
        failed = decoded.status().WithContext("seq " + std::to_string(seq));
        return false;
      }
      batch.seqs.push_back(seq);
      batch.events.push_back(std::move(decoded).value());
      if (batch.events.size() < kGroup) return true;
      bool wanted = queue_.Push(std::move(batch));
      batch = Batch();
      return wanted;
    });
    if (failed.ok()) failed = scanned;
    if (failed.ok() && !batch.events.empty()) queue_.Push(std::move(batch));
    queue_.Close(failed);
  }

  BoundedQueue<Batch> queue_{4};
  std::thread thread_;  // last: it starts once the queue exists
};

}  // namespace

Result<ReplayResult> Replay(const EventLog& source, EventLog& target, const ReplayOptions& options) {
  if (target.Head().seq != 0) return Status::FailedPrecondition("the replay's log must be empty");
  const uint64_t head = source.Head().seq;
  uint64_t last = std::min(head, options.to.seq);
  ActiveRules active(source, target);
  std::vector<AppendRequest> group;
  uint64_t read = 0;
  uint64_t stop_before = 0;  // the first input event after `to`'s time, if any
  // Each input event moves into the group: decoded once, never copied.
  auto replay_one = [&](uint64_t seq, Event& event) -> Result<bool> {
    ++read;
    if (options.progress && read % 10000 == 0) options.progress(read, last);
    if (event.is_derived()) return true;  // derived again below
    if (options.to.time_micros && event.time_micros > *options.to.time_micros) {
      stop_before = seq;
      return false;
    }
    if (event.type == "ruleset.activated") {
      KEEL_RETURN_IF_ERROR(Flush(target, &group));
      KEEL_RETURN_IF_ERROR(active.Activate(event));
      return true;
    }
    group.push_back({std::move(event), std::nullopt});
    if (group.size() >= kGroup) KEEL_RETURN_IF_ERROR(Flush(target, &group));
    return true;
  };
  {
    SourceReader reader(source, last);
    SourceReader::Batch batch;
    bool more = true;
    while (more && reader.Next(&batch)) {
      for (size_t i = 0; more && i < batch.events.size(); ++i) {
        KEEL_ASSIGN_OR_RETURN(more, replay_one(batch.seqs[i], batch.events[i]));
      }
    }
    if (more) KEEL_RETURN_IF_ERROR(reader.status());
  }
  KEEL_RETURN_IF_ERROR(Flush(target, &group));
  if (stop_before != 0) last = stop_before - 1;
  if (options.progress) options.progress(last, last);

  ReplayResult result;
  result.events = last;
  // The source's bytes are compared, not only its stored hashes: a record
  // edited in place keeps its old hash, and must still diverge here.
  KEEL_ASSIGN_OR_RETURN(result.first_divergence, FirstDivergence(source, target, last, last == head));
  result.identical = !result.first_divergence.has_value();
  if (result.identical && last == head) {
    result.entities_compared = true;
    KEEL_ASSIGN_OR_RETURN(bool same, SameEntities(source, target));
    if (!same) {
      result.identical = false;
      result.first_divergence = Divergence{0, "the entities column family of the log",
                                           "a different entities column family after the replay"};
    }
  }
  return result;
}

}  // namespace keel::rules
