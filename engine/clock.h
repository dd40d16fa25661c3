// Clock: where the scheduler learns what time it is. Injected (STYLE.md,
// practice 4), so that tests move time by hand instead of waiting for it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace keel {

// Safe for concurrent use without external synchronization.
class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since 1970-01-01T00:00:00Z.
  virtual int64_t NowMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// Time stands still until a test moves it.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_micros = 0) : now_(now_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  void Set(int64_t now_micros) { now_.store(now_micros); }
  void Advance(int64_t micros) { now_.fetch_add(micros); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace keel
