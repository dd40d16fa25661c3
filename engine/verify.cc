#include "engine/verify.h"

#include <map>

#include "engine/event_record.h"
#include "engine/log_format.h"
#include "engine/reducers.h"
#include "engine/sha256.h"
#include "engine/verify_rulesets.h"

namespace keel {
namespace {

using namespace log_format;

std::string PrintableKey(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    if (c == kKeySeparator) c = '/';
  }
  return out;
}

// One pass over the events; the chain, then what each event implies.
class Verifier {
 public:
  Verifier(const EventLog& log, const VerifyOptions& options, VerifyReport* report)
      : log_(log), options_(options), report_(report), rulesets_(log, &report->problems) {}

  Status Run() {
    uint64_t total = log_.Head().seq;
    KEEL_RETURN_IF_ERROR(log_.ScanColumnFamily(kEvents, [&](std::string_view key, std::string_view value) {
      CheckRecord(key, value);
      if (options_.progress && report_->events % 65536 == 0) options_.progress(report_->events, total);
      return true;
    }));
    CheckHead();
    if (options_.check_indexes) {
      KEEL_RETURN_IF_ERROR(CheckIndexHasNoExtraEntries(kById, decoded_events_));
      KEEL_RETURN_IF_ERROR(CheckIndexHasNoExtraEntries(kByStream, decoded_events_));
    }
    if (options_.check_projections) KEEL_RETURN_IF_ERROR(CheckProjections());
    if (options_.check_rulesets) KEEL_RETURN_IF_ERROR(rulesets_.Finish());
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
    auto event = EventFromCanonical(std::string(canonical));
    if (!event.ok()) {
      BadSeq(seq, "record does not decode: " + event.status().message());
      return;
    }
    ++decoded_events_;
    if (options_.check_indexes) CheckIndexesOf(seq, *event);
    if (options_.check_projections && ChangesEntityState(event->type)) Fold(seq, *event);
    if (options_.check_rulesets) rulesets_.OnEvent(seq, *event);
  }

  void CheckIndexesOf(uint64_t seq, const Event& event) {
    auto by_id = log_.GetRaw(kById, event.id);
    if (!by_id.ok() || by_id->size() != 8 || ReadBigEndian64(*by_id) != seq) {
      Problem("by_id: entry for event id '" + event.id + "' does not point at seq " + std::to_string(seq));
    }
    std::string stream_key = StreamKey(event.workspace, event.entity.kind, event.entity.id, seq);
    if (!log_.GetRaw(kByStream, stream_key).ok()) {
      Problem("by_stream: no entry for seq " + std::to_string(seq) + " in stream " +
              PrintableKey(StreamPrefix(event.workspace, event.entity.kind, event.entity.id)));
    }
  }

  void Fold(uint64_t seq, const Event& event) {
    EntityState& state = rebuilt_[EntityKey(event.workspace, event.entity.kind, event.entity.id)];
    Status applied = ApplyEvent(event, &state);
    if (!applied.ok()) BadSeq(seq, "does not apply to its entity: " + applied.message());
  }

  void CheckHead() {
    LogHead head = log_.Head();
    if (head.seq != last_seq_ || head.hash != previous_hash_) {
      Problem("meta: head record says seq " + std::to_string(head.seq) + " but the log ends at seq " +
              std::to_string(last_seq_) + (head.hash != previous_hash_ ? " with another hash" : ""));
    }
  }

  // Each event was checked to have its entries; an index with more entries
  // than there are events has stray ones: name them.
  Status CheckIndexHasNoExtraEntries(std::string_view family, uint64_t expected) {
    uint64_t count = 0;
    KEEL_RETURN_IF_ERROR(log_.ScanColumnFamily(family, [&](std::string_view, std::string_view) {
      ++count;
      return true;
    }));
    if (count <= expected) return Status::OK();
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
      return stored.ok() && stored->event.id == key;
    }
    if (key.size() < 8) return false;
    auto stored = log_.Read(ReadBigEndian64(key.substr(key.size() - 8)));
    if (!stored.ok()) return false;
    const Event& e = stored->event;
    return key == StreamKey(e.workspace, e.entity.kind, e.entity.id, stored->seq);
  }

  Status CheckProjections() {
    auto rebuilt = rebuilt_.begin();
    KEEL_RETURN_IF_ERROR(log_.ScanColumnFamily(kEntities, [&](std::string_view key, std::string_view value) {
      while (rebuilt != rebuilt_.end() && rebuilt->first < key) {
        Problem("entities: " + PrintableKey(rebuilt->first) + " is missing; a rebuild has it");
        ++rebuilt;
      }
      if (rebuilt == rebuilt_.end() || rebuilt->first != key) {
        Problem("entities: " + PrintableKey(key) + " exists but no event made it");
        return true;
      }
      std::string expected = rebuilt->second.ToCanonical();
      if (value.empty() || value.substr(1) != expected) {
        Problem("entities: " + PrintableKey(key) + " differs from a rebuild: stored " +
                std::string(value.empty() ? "" : value.substr(1)) + ", rebuilt " + expected);
      }
      ++rebuilt;
      return true;
    }));
    for (; rebuilt != rebuilt_.end(); ++rebuilt) {
      Problem("entities: " + PrintableKey(rebuilt->first) + " is missing; a rebuild has it");
    }
    return Status::OK();
  }

  const EventLog& log_;
  const VerifyOptions& options_;
  VerifyReport* report_;
  uint64_t expected_seq_ = 1;
  uint64_t last_seq_ = 0;
  uint64_t decoded_events_ = 0;
  Hash previous_hash_{};
  std::map<std::string, EntityState, std::less<>> rebuilt_;
  RuleSetVerifier rulesets_;
};

}  // namespace

Result<VerifyReport> VerifyLog(const EventLog& log, const VerifyOptions& options) {
  VerifyReport report;
  KEEL_RETURN_IF_ERROR(Verifier(log, options, &report).Run());
  return report;
}

}  // namespace keel
