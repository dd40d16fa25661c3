// Progress of a long command (ingest, run, verify, the benchmarks) on the
// terminal.
#pragma once

#include <cstdint>
#include <string>

namespace keel::cli {

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

}  // namespace keel::cli
