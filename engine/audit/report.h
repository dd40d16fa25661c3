// VerifyReport: what `VerifyLog` (engine/audit/verify.h) found, filled in by
// each of its parts (the chain, the projections, the rule sets, the timers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace keel {

struct VerifyReport {
  uint64_t events = 0;
  // The first seq whose stored hash does not match its content and chain.
  std::optional<uint64_t> first_bad_seq;
  // Every problem found, each naming its seq or key.
  std::vector<std::string> problems;

  bool ok() const { return problems.empty(); }
};

}  // namespace keel
