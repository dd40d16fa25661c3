// What the crash harnesses (tests/crash/run_crash_test.cc,
// tests/kafka/serve_crash_harness_test.cc) take from the environment:
//   KEEL_CRASH_TRIALS=N  kills per harness (default 10: the default suite;
//                        100 is the long mode, see RELIABILITY.md)
//   KEEL_CRASH_SEED=N    the seed of the random kill moments, printed with
//                        every failure so that it can be run again
#pragma once

#include <cstdint>
#include <cstdlib>

namespace keel::testing {

inline uint64_t NumberFromEnvironment(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  uint64_t value = std::strtoull(text, &end, 10);
  return *end == '\0' ? value : fallback;
}

inline int CrashTrials() { return static_cast<int>(NumberFromEnvironment("KEEL_CRASH_TRIALS", 10)); }

inline uint64_t CrashSeed(uint64_t fallback) { return NumberFromEnvironment("KEEL_CRASH_SEED", fallback); }

}  // namespace keel::testing
