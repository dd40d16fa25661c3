// How every keel command ends: its exit code, and an error on stderr.
#pragma once

#include <string_view>

#include "engine/status.h"

namespace keel::cli {

// Exit codes, the same for every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the command ran and found a problem (rejected input, a bad log, ...)
inline constexpr int kExitUsage = 2;   // the command line itself is wrong

// Prints "keel COMMAND: error: MESSAGE" to stderr; returns kExitFailed.
int ReportError(std::string_view command, const Status& status);

// For a command whose input stopped before its end (a write failed, the disk
// is full): prints "keel COMMAND: error: MESSAGE", then that the counts
// printed before are what was committed. Returns kExitFailed.
int ReportStopped(std::string_view command, const Status& status);

}  // namespace keel::cli
