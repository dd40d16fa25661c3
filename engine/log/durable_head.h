// The durable head: the last head (seq and hash) known to be on disk,
// kept in a small file of its own next to RocksDB's, outside the
// write-ahead log. A damaged write-ahead log or MANIFEST can make RocksDB
// hand back a shorter log that looks whole; this file still says how long
// the log was once acknowledged to be. engine/FORMAT.md, "The durable head
// file", has the format.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel {

inline constexpr std::string_view kDurableHeadFileName = "keel-durable-head";

// Replaces the file with `head` atomically: a temporary file, fsync,
// rename, fsync of the folder. A crash leaves the old file or the new one.
Status WriteDurableHead(const std::filesystem::path& dir, const LogHead& head);

// The recorded durable head; nullopt when the folder has none (a log
// written by an older keel, or never synced). Corruption when the file is
// malformed.
Result<std::optional<LogHead>> ReadDurableHead(const std::filesystem::path& dir);

// What is wrong when `log` is shorter than `durable` or disagrees with it
// at its seq; nullopt when the log holds it.
std::optional<std::string> DurableHeadProblem(const EventLog& log, const LogHead& durable);

// For `keel verify`: what is wrong with the durable head file of `dir` (the
// folder of `log`), or with `log` against it; nullopt when all is well or
// there is no file.
std::optional<std::string> CheckDurableHead(const EventLog& log, const std::filesystem::path& dir);

}  // namespace keel
