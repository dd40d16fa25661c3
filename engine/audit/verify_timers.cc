#include "engine/audit/verify_timers.h"

#include <map>
#include <string>

#include "engine/canonical_json.h"
#include "engine/json_time.h"
#include "engine/log_format.h"
#include "engine/audit/multiset_digest.h"
#include "engine/log/timer.h"

namespace keel {
namespace {

using namespace log_format;

std::string DataString(const Event& event, std::string_view member) {
  std::string_view raw = FindCanonicalMember(event.data(), member);
  return IsJsonString(raw) ? DecodeJsonString(raw) : std::string();
}

// A fire time as a person reads it (UTC, to the second). A damaged entry may
// hold any number: outside the years 0000 to 9999 it shows as one.
std::string UtcTime(int64_t micros) {
  return FormatRfc3339(InstantFromMicros(micros), Rfc3339Fraction::kNone)
      .value_or(std::to_string(micros) + " microseconds since 1970");
}

// "timer acme/tm-1 (due entry at 2026-03-09T12:00:00Z)": a key as a person
// reads it.
std::string DescribeKey(std::string_view key) {
  auto timer_of = [](std::string_view rest) {
    std::string out(rest);
    if (size_t sep = out.find(kKeySeparator); sep != std::string::npos) out[sep] = '/';
    return out;
  };
  if (!key.empty() && key[0] == kTimerIdPrefix) return "timer " + timer_of(key.substr(1)) + " (id entry)";
  if (key.size() >= 9 && key[0] == kTimerDuePrefix) {
    int64_t micros = ReadOrderedMicros(key.substr(1, 8));
    return "timer " + timer_of(key.substr(9)) + " (due entry at " + UtcTime(micros) + ")";
  }
  std::string printable;
  for (char c : key) printable += (c == kKeySeparator ? '/' : c);
  return "key '" + printable + "'";
}

std::string DescribeValue(std::string_view key, std::string_view value) {
  if (!key.empty() && key[0] == kTimerIdPrefix) {
    return value.size() == 8 ? "fire time " + UtcTime(ReadOrderedMicros(value))
                             : std::to_string(value.size()) + " bytes";
  }
  return value.empty() ? std::string("nothing") : std::string(value.substr(1));
}

}  // namespace

TimerVerifier::TimerVerifier(const EventLog& log, std::vector<std::string>* problems)
    : log_(log), problems_(*problems) {}

void TimerVerifier::OnEvent(uint64_t seq, const Event& event) {
  if (!ChangesTimers(event.type)) return;
  if (event.type == kTimerScheduled) {
    Result<PendingTimer> timer = TimerFromScheduledEvent(event);
    if (!timer.ok()) {
      Problem("seq " + std::to_string(seq) + ": timer.scheduled names no timer: " + timer.status().message());
      return;
    }
    std::string key = TimerIdKey(timer->workspace, timer->timer_id);
    rebuilt_[std::move(key)] = std::move(timer).value();
    return;
  }
  auto pending = rebuilt_.find(TimerIdKey(event.workspace, DataString(event, "timer")));
  if (pending == rebuilt_.end()) return;
  // As the append path does: a timer.fired ends only the scheduling it is for.
  if (event.type == kTimerFired && event.causation_id != pending->second.scheduled_by) return;
  rebuilt_.erase(pending);
}

std::map<std::string, std::string> TimerVerifier::ExpectedEntries() const {
  std::map<std::string, std::string> entries;
  for (const auto& [id_key, timer] : rebuilt_) {
    std::string fire;
    AppendOrderedMicros(timer.fire_micros, &fire);
    entries[id_key] = std::move(fire);
    entries[TimerDueKey(timer.fire_micros, timer.workspace, timer.timer_id)] = EncodeTimerRecord(timer);
  }
  return entries;
}

Status TimerVerifier::Finish() {
  // Two digests first, so a sound log is checked without sorting the
  // rebuild; only a damaged one is compared entry by entry.
  // Named, not structured bindings: lambdas capture them (clang before 16 cannot).
  auto digests = MultisetDigest::Pair();
  MultisetDigest& expected = digests.first;
  MultisetDigest& stored = digests.second;
  for (const auto& [id_key, timer] : rebuilt_) {
    std::string fire;
    AppendOrderedMicros(timer.fire_micros, &fire);
    expected.Add(id_key, fire);
    expected.Add(TimerDueKey(timer.fire_micros, timer.workspace, timer.timer_id), EncodeTimerRecord(timer));
  }
  KEEL_RETURN_IF_ERROR(log_.ScanColumnFamily(kTimers, [&](std::string_view key, std::string_view value) {
    stored.Add(key, value);
    return true;
  }));
  if (expected == stored) return Status::OK();
  return NameDifferences();
}

Status TimerVerifier::NameDifferences() {
  std::map<std::string, std::string> expected = ExpectedEntries();
  auto next = expected.begin();
  size_t problems_before = problems_.size();
  auto missing = [&](const std::string& key) {
    Problem("timers: " + DescribeKey(key) + " is missing; a rebuild from the log has it");
  };
  KEEL_RETURN_IF_ERROR(log_.ScanColumnFamily(kTimers, [&](std::string_view key, std::string_view value) {
    for (; next != expected.end() && next->first < key; ++next) missing(next->first);
    if (next == expected.end() || next->first != key) {
      Problem("timers: " + DescribeKey(key) + " is stored but no timer event leaves it pending");
      return true;
    }
    if (next->second != value) {
      Problem("timers: " + DescribeKey(key) + " differs from a rebuild from the log: stored " +
              DescribeValue(key, value) + ", rebuilt " + DescribeValue(key, next->second));
    }
    ++next;
    return true;
  }));
  for (; next != expected.end(); ++next) missing(next->first);
  if (problems_.size() == problems_before) {
    Problem("timers: the family differs from a rebuild from the log, in a way no entry shows");
  }
  return Status::OK();
}

}  // namespace keel
