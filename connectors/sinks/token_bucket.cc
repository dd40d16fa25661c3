#include "connectors/sinks/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace keel::sinks {

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : rate_(rate_per_second), burst_(std::max(burst, 1.0)), tokens_(burst_) {}

int64_t TokenBucket::Reserve(int64_t now_micros) {
  if (rate_ <= 0) return 0;
  if (started_ && now_micros > last_micros_) {
    tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_micros - last_micros_) * rate_ / 1e6);
  }
  if (!started_ || now_micros > last_micros_) last_micros_ = now_micros;
  started_ = true;
  tokens_ -= 1;
  if (tokens_ >= 0) return 0;
  return static_cast<int64_t>(std::ceil(-tokens_ * 1e6 / rate_));
}

}  // namespace keel::sinks
