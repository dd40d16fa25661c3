#include "cli/cli_common.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/terminal_text.h"
#include "engine/event.h"

namespace keel::cli {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int ReportError(std::string_view command, const Status& status) {
  std::cerr << "keel " << command << ": error: " << TerminalLines(status.message()) << "\n";
  return kExitFailed;
}

int ReportStopped(std::string_view command, const Status& status) {
  std::cerr << "keel " << command << ": error: " << status.message() << "\n"
            << "keel " << command << ": stopped before the end of the input; the counts printed are what was "
            << "committed before it stopped\n";
  return kExitFailed;
}

Result<std::unique_ptr<EventLog>> OpenLogForReading(const std::string& db) {
  LogOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  return EventLog::Open(db, options);
}

void PrintJson(const nlohmann::ordered_json& value) {
  std::cout << value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

nlohmann::json StoredEventToJson(const StoredEvent& stored) {
  nlohmann::json json = nlohmann::json::parse(stored.event.canonical);
  json["seq"] = stored.seq;
  json["hash"] = HashToHex(stored.hash);
  return json;
}

Result<EntityRef> ParseEntityArgument(std::string_view text) {
  EntityRef ref;
  if (!ParseEntityRef(text, &ref)) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not KIND/ID (for example task/T-7)");
  }
  return ref;
}

Result<std::string> ResolveWorkspace(const EventLog& log, const EntityRef& entity,
                                     const std::string& requested) {
  if (!requested.empty()) return requested;
  KEEL_ASSIGN_OR_RETURN(auto workspaces, log.Workspaces());
  std::vector<std::string> holding;
  for (const std::string& workspace : workspaces) {
    bool found = false;
    KEEL_RETURN_IF_ERROR(log.ScanStream(workspace, entity, [&](uint64_t) {
      found = true;
      return false;
    }));
    if (found) holding.push_back(workspace);
  }
  if (holding.size() == 1) return holding.front();
  if (holding.empty()) return Status::NotFound("no events about " + entity.ToString() + " in any workspace");
  std::string names;
  for (const auto& w : holding) names += (names.empty() ? "" : ", ") + w;
  return Status::InvalidArgument(entity.ToString() + " exists in several workspaces (" + names +
                                 "); choose one with --workspace");
}

CLI::Validator WholeNumber(const std::string& what, uint64_t min, uint64_t max) {
  std::string range = max == UINT64_MAX ? std::to_string(min) + " or more"
                                        : "from " + std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [what, min, max, range](const std::string& text) -> std::string {
        uint64_t value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error == std::errc::invalid_argument || end != text.data() + text.size()) {
          return what + " is a whole number " + range + "; got '" + text + "'";
        }
        if (error == std::errc::result_out_of_range || value < min || value > max) {
          return what + " is " + range + "; got " + text;
        }
        return std::string();
      },
      range);
}

Progress::Progress(std::string label)
    : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1), start_micros_(NowMicros()) {}

Progress::~Progress() {
  if (enabled_ && last_draw_micros_ != 0) std::fprintf(stderr, "\r\033[K");
}

std::string Abbreviate(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit - 3)) + "...";
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  int64_t now = NowMicros();
  if (now - last_draw_micros_ < 100000) return;  // redraw at most ten times a second
  last_draw_micros_ = now;
  double seconds = static_cast<double>(now - start_micros_) / 1e6;
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  if (total > 0) {
    double left = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : 0;
    std::fprintf(stderr, "\r\033[K%s %llu/%llu (%.0f%%) %.0f events/s, %.0fs left", label_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                 100.0 * static_cast<double>(done) / static_cast<double>(total), rate, left);
  } else {
    std::fprintf(stderr, "\r\033[K%s %llu events, %.0f events/s", label_.c_str(),
                 static_cast<unsigned long long>(done), rate);
  }
  std::fflush(stderr);
}

}  // namespace keel::cli
