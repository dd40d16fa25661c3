// What the submit crash writer and its test agree on: which synthetic
// events each submitting thread sends, in which deliveries.
#pragma once

#include <cstdint>

#include "connectors/synthetic_events.h"
#include "tests/crash/crash_plan.h"

namespace keel::crash {

// Each thread's events start at thread * kThreadSpan.
inline constexpr uint64_t kThreadSpan = 100000000;

// Every event creates an entity of its own, so that the threads' events may
// be appended in any order. Ids are crash::EventIdAt(index).
inline SyntheticOptions SubmitEventOptions() {
  SyntheticOptions options = WriterEventOptions();
  options.entities = 64 * kThreadSpan;
  return options;
}

// A delivery of 1 to 4 events starts at `first`.
inline uint64_t SubmitDeliverySizeAt(uint64_t first) { return 1 + MixBits(first) % 4; }

}  // namespace keel::crash
