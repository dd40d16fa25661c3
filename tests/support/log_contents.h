// A keel log read back whole, for the crash harnesses to compare one log with
// another after a kill: each event's seq, id, hash and whether it is derived.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/log/event_log.h"

namespace keel::testing {

struct LoggedEvent {
  uint64_t seq = 0;
  std::string id;
  std::string type;
  std::string hash;         // hex
  std::string causationid;  // empty for input events
  bool derived = false;

  bool operator==(const LoggedEvent&) const = default;
};

inline std::ostream& operator<<(std::ostream& out, const LoggedEvent& e) {
  return out << "seq " << e.seq << " " << e.type << " " << e.id << (e.derived ? " (derived from " + e.causationid + ")" : "")
             << " hash " << e.hash.substr(0, 12);
}

// Where two logs first differ, in words; "" when they are the same.
inline std::string FirstDifference(const std::vector<LoggedEvent>& found, const std::vector<LoggedEvent>& expected) {
  for (size_t i = 0; i < found.size() && i < expected.size(); ++i) {
    if (!(found[i] == expected[i])) {
      std::ostringstream text;
      text << "at seq " << i + 1 << ": found " << found[i] << ", expected " << expected[i];
      return text.str();
    }
  }
  if (found.size() == expected.size()) return "";
  return "found " + std::to_string(found.size()) + " events, expected " + std::to_string(expected.size());
}

// Opens the log in `dir` read-only (as `keel verify` does). Throws with the
// reason when it cannot be opened.
inline std::unique_ptr<EventLog> OpenForReading(const std::filesystem::path& dir) {
  LogOptions options;
  options.read_only = true;
  auto log = EventLog::Open(dir, options);
  if (!log.ok()) throw std::runtime_error("cannot open " + dir.string() + ": " + log.status().ToString());
  return std::move(log).value();
}

inline std::vector<LoggedEvent> ReadLoggedEvents(const EventLog& log) {
  std::vector<LoggedEvent> events;
  Status scanned = log.Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
    events.push_back({stored.seq, stored.event.id, stored.event.type, HashToHex(stored.hash),
                      stored.event.causation_id, stored.event.is_derived()});
    return true;
  });
  if (!scanned.ok()) throw std::runtime_error("scan: " + scanned.ToString());
  return events;
}

}  // namespace keel::testing
