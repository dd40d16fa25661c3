#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace keel::cli {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Progress::Progress(std::string label)
    : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1), start_micros_(NowMicros()) {}

Progress::~Progress() {
  if (enabled_ && last_draw_micros_ != 0) std::fprintf(stderr, "\r\033[K");
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
