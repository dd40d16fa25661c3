#include "engine/log/durable_head.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/durable_file.h"
#include "engine/log_format.h"

namespace keel {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kVersionTag = "keel-durable-head-1";

Status Errno(const std::string& what, const fs::path& path) {
  return Status::IOError("cannot " + what + " '" + path.string() + "': " + std::strerror(errno));
}

}  // namespace

Status WriteDurableHead(const fs::path& dir, const LogHead& head) {
  std::string text = std::string(kVersionTag) + " " + std::to_string(head.seq) + " " + HashToHex(head.hash) + "\n";
  return ReplaceFileDurably(dir / kDurableHeadFileName, text);
}

Result<std::optional<LogHead>> ReadDurableHead(const fs::path& dir) {
  fs::path file = dir / kDurableHeadFileName;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<LogHead>();
    return Errno("read", file);
  }
  std::string tag, seq_text, hex, rest;
  in >> tag >> seq_text >> hex >> rest;
  LogHead head;
  bool digits = !seq_text.empty() && seq_text.find_first_not_of("0123456789") == std::string::npos;
  if (tag != kVersionTag || !digits || seq_text.size() > 19 || !HashFromHex(hex, &head.hash) || !rest.empty()) {
    return Status::Corruption("'" + file.string() + "' is malformed: expected '" + std::string(kVersionTag) +
                              " SEQ HASH'");
  }
  head.seq = std::stoull(seq_text);
  return std::optional<LogHead>(head);
}

std::optional<std::string> DurableHeadProblem(const EventLog& log, const LogHead& durable) {
  const std::string recorded = "seq " + std::to_string(durable.seq) + " was acknowledged as durable (" +
                               std::string(kDurableHeadFileName) + ")";
  uint64_t head = log.Head().seq;
  if (head < durable.seq) {
    return "the log ends at seq " + std::to_string(head) + ", but " + recorded + ": events " +
           std::to_string(head + 1) + " to " + std::to_string(durable.seq) + " are missing";
  }
  if (durable.seq == 0) return std::nullopt;
  // Only the record's hash is compared: an event whose text no longer
  // parses is verify's to name, by seq.
  auto record = log.GetRaw(log_format::kEvents, log_format::EventKey(durable.seq));
  if (!record.ok()) return recorded + ", but the log cannot read it: " + record.status().message();
  Hash stored{};
  if (record->size() >= 1 + log_format::kHashSize) {
    std::copy(record->begin() + 1, record->begin() + 1 + log_format::kHashSize, stored.begin());
  }
  if (stored != durable.hash) {
    return recorded + " with hash " + HashToHex(durable.hash) + ", but the log holds another event there (hash " +
           HashToHex(stored) + ")";
  }
  return std::nullopt;
}

std::optional<std::string> CheckDurableHead(const EventLog& log, const fs::path& dir) {
  Result<std::optional<LogHead>> durable = ReadDurableHead(dir);
  if (!durable.ok()) return durable.status().message();
  if (!*durable) return std::nullopt;
  return DurableHeadProblem(log, **durable);
}

}  // namespace keel
