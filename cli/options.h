// The options several commands take, each spelled and checked the same way
// everywhere: --json, --db, --sync, --event-time-window, whole numbers.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace keel::cli {

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
