// SyntheticEvents: a deterministic source of realistic work-management
// events, for benchmarks, crash tests and demos. Event `n` is always the same
// bytes for the same options, so two runs (keel and a baseline, or a writer
// before and after a crash) see identical input.
#pragma once

#include <cstdint>
#include <string>

namespace keel {

struct SyntheticOptions {
  uint64_t entities = 10000;  // the first `entities` events create them
  uint64_t workspaces = 8;
  uint64_t seed = 42;
  std::string id_prefix = "ev";
};

class SyntheticEvents {
 public:
  explicit SyntheticEvents(SyntheticOptions options = {});

  // Appends event number `n` (from 0) as one NDJSON line without the newline.
  // About 300 bytes; types mixed over tasks, initiatives, goals, key results
  // and KPIs: created, status_changed, assigned, updated, linked,
  // comment.added, key_result.progress_reported, kpi.measured.
  void Append(uint64_t n, std::string* out) const;

 private:
  SyntheticOptions options_;
};

}  // namespace keel
