#include "engine/audit/read_floors.h"

#include <future>
#include <string_view>

#include "engine/log_format.h"

namespace keel {
namespace {

Status ReadFamily(const EventLog& log, std::string_view family) {
  return log.ScanColumnFamily(family, [](std::string_view, std::string_view) { return true; });
}

}  // namespace

Result<RecordsRead> ScanEventRecords(const EventLog& log) {
  RecordsRead read;
  KEEL_RETURN_IF_ERROR(log.ScanColumnFamily(log_format::kEvents, [&](std::string_view, std::string_view value) {
    ++read.records;
    read.bytes += value.size();
    return true;
  }));
  return read;
}

Status ReadWhatVerifyReads(const EventLog& log) {
  std::future<Status> indexes = std::async(std::launch::async, [&log] {
    KEEL_RETURN_IF_ERROR(ReadFamily(log, log_format::kById));
    return ReadFamily(log, log_format::kByStream);
  });
  Status events_read = ReadFamily(log, log_format::kEvents);
  Status indexes_read = indexes.get();
  KEEL_RETURN_IF_ERROR(events_read);
  KEEL_RETURN_IF_ERROR(indexes_read);
  return ReadFamily(log, log_format::kEntities);
}

}  // namespace keel
