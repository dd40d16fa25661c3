// What the keel subcommands share: opening logs, printing errors and JSON,
// resolving an entity's workspace, progress on a terminal.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
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

// Opens an existing log for reading; never creates anything.
Result<std::unique_ptr<EventLog>> OpenLogForReading(const std::string& db);

// `text`, cut to `limit` bytes with "..." at the end when longer; for
// showing events in one line.
std::string Abbreviate(std::string_view text, size_t limit);

// Prints one JSON value on its own line to stdout.
void PrintJson(const nlohmann::ordered_json& value);

// The event as JSON with its `seq` and `hash`, for output.
nlohmann::json StoredEventToJson(const StoredEvent& stored);

// Parses "KIND/ID" from the command line.
Result<EntityRef> ParseEntityArgument(std::string_view text);

// The workspace that holds `entity`: `requested` when given; otherwise the
// only workspace whose log has events about it (an error when none or
// several do).
Result<std::string> ResolveWorkspace(const EventLog& log, const EntityRef& entity,
                                     const std::string& requested);

// A one-line progress display on stderr, shown only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();
  void Update(uint64_t done, uint64_t total);

 private:
  std::string label_;
  bool enabled_;
  int64_t start_micros_;
  int64_t last_draw_micros_ = 0;
};

// Adds the common `--json` flag.
inline CLI::Option* AddJsonFlag(CLI::App* command, bool* json) {
  return command->add_flag("--json", *json, "Print JSON instead of text");
}

// Adds `--db DIR`, required.
inline CLI::Option* AddDbOption(CLI::App* command, std::string* db) {
  return command->add_option("--db", *db, "Folder that holds the keel database")->required();
}

// Checks a whole-number option before CLI11 converts it, with a message in
// the option's own terms ("--from: a sequence number is 1 or more; got 0")
// instead of CLI11's ("... not in range 0.000000 to 1797693..."). `what`
// names the value; `max` must fit the option's type.
CLI::Validator WholeNumber(const std::string& what, uint64_t min, uint64_t max = UINT64_MAX);

// Adds `--sync always|batch|off` (the log's durability, engine's
// ParseSyncMode), shown with its default.
inline CLI::Option* AddSyncOption(CLI::App* command, std::string* sync,
                                  const std::string& help = "Durability: always (fsync per batch), batch (group "
                                                            "commit), off") {
  return command->add_option("--sync", *sync, help)->capture_default_str()->check(
      CLI::IsMember({"always", "batch", "off"}));
}

// Adds `--event-time-window DAYS` (engine/schema/time_window.h): input events dated
// further than DAYS from the clock are refused; 0 turns the bound off.
inline CLI::Option* AddEventTimeWindowOption(CLI::App* command, int64_t* days) {
  return command
      ->add_option("--event-time-window", *days,
                   "Refuse input events dated more than this many days before or after the clock (0: no bound)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{4000000}));
}

}  // namespace keel::cli
