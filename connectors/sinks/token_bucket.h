// TokenBucket: a sink's rate limit. `rate` tokens a second, at most `burst`
// saved up; each send takes one. A sender that finds none reserves the next
// one and waits until it is due, so senders are served in the order they
// asked. Not thread-safe: the runner calls it under its lock.
#pragma once

#include <cstdint>

namespace keel::sinks {

class TokenBucket {
 public:
  // rate <= 0: no limit. The bucket starts full.
  TokenBucket(double rate_per_second, double burst);

  // Takes a token at `now_micros` and returns how long (microseconds) its
  // taker waits before sending: 0 when one was saved up.
  int64_t Reserve(int64_t now_micros);

 private:
  double rate_;
  double burst_;
  double tokens_;          // negative: that many are reserved ahead
  int64_t last_micros_ = 0;
  bool started_ = false;
};

}  // namespace keel::sinks
