#include "engine/audit/log_compare.h"

#include <functional>
#include <future>
#include <string_view>

#include "engine/audit/multiset_digest.h"
#include "engine/log/record_chunks.h"
#include "engine/log_format.h"

namespace keel {
namespace {

// The canonical event inside an `events` record (after version and hash).
std::string CanonicalOf(std::string_view record) {
  constexpr size_t kHeader = 1 + log_format::kHashSize;
  return record.size() > kHeader ? std::string(record.substr(kHeader)) : std::string();
}

}  // namespace

Result<std::optional<LogDivergence>> FirstDivergence(const EventLog& expected, const EventLog& found, uint64_t last,
                                                     bool whole) {
  ColumnFamilyReader expected_events(expected, log_format::kEvents), found_events(found, log_format::kEvents);
  std::string_view expected_key, expected_record, found_key, found_record;
  for (uint64_t seq = 1; seq <= last; ++seq) {
    if (!expected_events.Next(&expected_key, &expected_record)) {
      KEEL_RETURN_IF_ERROR(expected_events.status());
      return Status::Corruption("the log ends before seq " + std::to_string(seq) + " of " + std::to_string(last));
    }
    if (!found_events.Next(&found_key, &found_record)) {
      KEEL_RETURN_IF_ERROR(found_events.status());
      return std::optional<LogDivergence>(LogDivergence{seq, CanonicalOf(expected_record), ""});
    }
    if (expected_record != found_record || expected_key != found_key) {
      return std::optional<LogDivergence>(
          LogDivergence{seq, CanonicalOf(expected_record), CanonicalOf(found_record)});
    }
  }
  if (whole && found_events.Next(&found_key, &found_record)) {
    return std::optional<LogDivergence>(LogDivergence{last + 1, "", CanonicalOf(found_record)});
  }
  KEEL_RETURN_IF_ERROR(found_events.status());
  return std::optional<LogDivergence>();
}

Result<bool> SameEntities(const EventLog& expected, const EventLog& found) {
  auto [expected_digest, found_digest] = MultisetDigest::Pair();
  auto digest = [](const EventLog& log, MultisetDigest* into) {
    return log.ScanColumnFamily(log_format::kEntities, [into](std::string_view key, std::string_view value) {
      into->Add(key, value);
      return true;
    });
  };
  std::future<Status> expected_scan = std::async(std::launch::async, digest, std::cref(expected), &expected_digest);
  Status found_scan = digest(found, &found_digest);
  KEEL_RETURN_IF_ERROR(expected_scan.get());
  KEEL_RETURN_IF_ERROR(found_scan);
  return expected_digest == found_digest;
}

}  // namespace keel
