#include "engine/audit/verify.h"

#include <algorithm>
#include <future>
#include <optional>
#include <tuple>

#include "engine/log/event_record.h"
#include "engine/log_format.h"
#include "engine/audit/multiset_digest.h"
#include "engine/log/record_chunks.h"
#include "engine/state/reducers.h"
#include "engine/sha256.h"
#include "engine/audit/verify_aliases.h"
#include "engine/audit/verify_projections.h"
#include "engine/audit/verify_rulesets.h"
#include "engine/audit/verify_timers.h"

namespace keel {
namespace {

using namespace log_format;

// One pass over the events; the chain, then what each event implies.
class Verifier {
 public:
  Verifier(const EventLog& log, const VerifyOptions& options, VerifyReport* report)
      : log_(log),
        options_(options),
        report_(report),
        rulesets_(log, &report->problems),
        timers_(log, &report->problems),
        aliases_(log, &report->problems) {
    if (options.check_projections) projections_.emplace(log, report);
  }

  Status Run() {
    uint64_t total = log_.Head().seq;
    // The events are read on one thread and checked on this one; the
    // indexes as stored are read on a third, while this one adds up what
    // they should hold.
    std::future<Status> stored_indexes;
    if (options_.check_indexes) {
      stored_indexes = std::async(std::launch::async, [this] {
        KEEL_RETURN_IF_ERROR(DigestFamily(kById, &by_id_.stored));
        return DigestFamily(kByStream, &by_stream_.stored);
      });
    }
    Status events = ScanInChunks(log_, kEvents, [&](std::string_view key, std::string_view value) {
      CheckRecord(key, value);
      if (options_.progress && report_->events % 65536 == 0) options_.progress(report_->events, total);
    });
    if (stored_indexes.valid()) {
      Status indexes = stored_indexes.get();
      KEEL_RETURN_IF_ERROR(events);
      KEEL_RETURN_IF_ERROR(indexes);
    }
    KEEL_RETURN_IF_ERROR(events);
    CheckHead();
    if (options_.check_indexes) {
      if (!(by_id_.expected == by_id_.stored)) KEEL_RETURN_IF_ERROR(FindIndexProblems(kById));
      if (!(by_stream_.expected == by_stream_.stored)) KEEL_RETURN_IF_ERROR(FindIndexProblems(kByStream));
    }
    if (projections_) KEEL_RETURN_IF_ERROR(projections_->Finish());
    if (options_.check_projections) KEEL_RETURN_IF_ERROR(aliases_.Finish());
    if (options_.check_rulesets) KEEL_RETURN_IF_ERROR(rulesets_.Finish());
    if (options_.check_timers) KEEL_RETURN_IF_ERROR(timers_.Finish());
    return Status::OK();
  }

 private:
  void Problem(std::string text) { report_->problems.push_back(std::move(text)); }

  void BadSeq(uint64_t seq, const std::string& text) {
    if (!report_->first_bad_seq) report_->first_bad_seq = seq;
    Problem("seq " + std::to_string(seq) + ": " + text);
  }

  void CheckRecord(std::string_view key, std::string_view value) {
    ++report_->events;
    if (key.size() != 8) {
      Problem("events: a key of " + std::to_string(key.size()) + " bytes is not a sequence number");
      return;
    }
    uint64_t seq = ReadBigEndian64(key);
    if (seq != expected_seq_) {
      BadSeq(seq, "expected seq " + std::to_string(expected_seq_) + " here; the sequence has a gap");
    }
    expected_seq_ = seq + 1;
    last_seq_ = seq;
    if (value.size() < 1 + kHashSize || static_cast<uint8_t>(value[0]) != kEventRecordV1) {
      BadSeq(seq, "record has an unknown format");
      return;
    }
    Hash stored;
    std::copy(value.begin() + 1, value.begin() + 1 + kHashSize, stored.begin());
    std::string_view canonical = value.substr(1 + kHashSize);
    if (ChainHash(previous_hash_, canonical) != stored) {
      BadSeq(seq, "stored hash does not match the event's bytes and the hash before it");
    }
    previous_hash_ = stored;
    Event* decoding = projections_ ? projections_->NextEvent() : &event_;
    Status decoded = ReadEventInto(canonical, decoding);
    if (!decoded.ok()) {
      BadSeq(seq, "record does not decode: " + decoded.message());
      return;
    }
    const Event& event = *decoding;
    if (options_.check_indexes) {
      char seq_bytes[8];
      EncodeBigEndian64(seq, seq_bytes);
      id_key_.assign(event.workspace).push_back(kKeySeparator);
      id_key_.append(event.id);
      by_id_.expected.Add(id_key_, std::string_view(seq_bytes, 8));
      AssignStreamKey(event.workspace, event.entity.kind, event.entity.id, seq, &stream_key_);
      by_stream_.expected.Add(stream_key_, {});
    }
    // The fold takes the event, so it goes last; its problem still stands
    // before those of the rule-set and timer checks of the same event.
    size_t fold_problem_slot = report_->problems.size();
    if (options_.check_rulesets) rulesets_.OnEvent(seq, event);
    if (options_.check_timers) timers_.OnEvent(seq, event);
    if (options_.check_projections) aliases_.OnEvent(seq, event);
    if (projections_ && ChangesEntityState(event.type)) projections_->OnEvent(seq, fold_problem_slot);
  }

  Status DigestFamily(std::string_view family, MultisetDigest* digest) const {
    return log_.ScanColumnFamily(family, [&](std::string_view key, std::string_view value) {
      digest->Add(key, value);
      return true;
    });
  }

  // The digests of one index differ: look event by event, then entry by
  // entry, to name what is wrong. Slow (a point lookup per event), and only
  // run on a damaged log.
  Status FindIndexProblems(std::string_view family) {
    size_t problems_before = report_->problems.size();
    KEEL_RETURN_IF_ERROR(log_.ScanColumnFamily(kEvents, [&](std::string_view key, std::string_view value) {
      // Records that do not decode were named by the first pass.
      if (key.size() != 8 || value.size() < 1 + kHashSize) return true;
      auto event = EventFromCanonical(std::string(value.substr(1 + kHashSize)));
      if (event.ok()) CheckIndexOf(family, ReadBigEndian64(key), *event);
      return true;
    }));
    KEEL_RETURN_IF_ERROR(FindStrayEntries(family));
    if (report_->problems.size() == problems_before) {
      Problem(std::string(family) + ": the index differs from what the events imply, in a way no entry shows");
    }
    return Status::OK();
  }

  void CheckIndexOf(std::string_view family, uint64_t seq, const Event& event) {
    if (family == kById) {
      auto by_id = log_.GetRaw(kById, IdKey(event.workspace, event.id));
      if (!by_id.ok() || by_id->size() != 8 || ReadBigEndian64(*by_id) != seq) {
        Problem("by_id: entry for event id '" + event.id + "' of workspace '" + event.workspace +
                "' does not point at seq " + std::to_string(seq));
      }
      return;
    }
    std::string stream_key = StreamKey(event.workspace, event.entity.kind, event.entity.id, seq);
    auto entry = log_.GetRaw(kByStream, stream_key);
    if (!entry.ok()) {
      Problem("by_stream: no entry for seq " + std::to_string(seq) + " in stream " +
              PrintableKey(StreamPrefix(event.workspace, event.entity.kind, event.entity.id)));
    } else if (!entry->empty()) {
      Problem("by_stream: entry for seq " + std::to_string(seq) + " has a value; entries are empty");
    }
  }

  void CheckHead() {
    LogHead head = log_.Head();
    if (head.seq != last_seq_ || head.hash != previous_hash_) {
      Problem("meta: head record says seq " + std::to_string(head.seq) + " but the log ends at seq " +
              std::to_string(last_seq_) + (head.hash != previous_hash_ ? " with another hash" : ""));
    }
  }

  // Entries that no event accounts for: name them.
  Status FindStrayEntries(std::string_view family) {
    return log_.ScanColumnFamily(family, [&](std::string_view key, std::string_view value) {
      if (!EntryMatchesAnEvent(family, key, value)) {
        Problem(std::string(family) + ": entry '" + PrintableKey(key) + "' matches no event");
      }
      return true;
    });
  }

  bool EntryMatchesAnEvent(std::string_view family, std::string_view key, std::string_view value) {
    if (family == kById) {
      if (value.size() != 8) return false;
      auto stored = log_.Read(ReadBigEndian64(value));
      return stored.ok() && IdKey(stored->event.workspace, stored->event.id) == key;
    }
    if (key.size() < 8) return false;
    auto stored = log_.Read(ReadBigEndian64(key.substr(key.size() - 8)));
    if (!stored.ok()) return false;
    const Event& e = stored->event;
    return key == StreamKey(e.workspace, e.entity.kind, e.entity.id, stored->seq);
  }

  const EventLog& log_;
  const VerifyOptions& options_;
  VerifyReport* report_;
  uint64_t expected_seq_ = 1;
  uint64_t last_seq_ = 0;
  Hash previous_hash_{};
  // The record being checked when projections are not (with them, it is
  // decoded into the fold's batch) and its by_stream key, in buffers reused
  // from one record to the next.
  Event event_;
  std::string stream_key_;
  std::string id_key_;  // reused: the by_id key of the event in hand
  // What an index should hold, from the events, and what it holds.
  struct IndexDigests {
    IndexDigests() { std::tie(expected, stored) = MultisetDigest::Pair(); }
    MultisetDigest expected{{}}, stored{{}};
  };
  IndexDigests by_id_, by_stream_;
  std::optional<ProjectionVerifier> projections_;
  RuleSetVerifier rulesets_;
  TimerVerifier timers_;
  AliasVerifier aliases_;  // with the projections: the alias index is one
};

}  // namespace

Result<VerifyReport> VerifyLog(const EventLog& log, const VerifyOptions& options) {
  VerifyReport report;
  KEEL_RETURN_IF_ERROR(Verifier(log, options, &report).Run());
  return report;
}

}  // namespace keel
