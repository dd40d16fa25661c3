// What the crash writer and the crash test agree on: which synthetic events
// the writer sends, in which groups, and how it acknowledges them.
//
// Both sides compute the same groups from the start index alone, so the test
// knows where every group the writer sent ends without being told.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/synthetic_events.h"

namespace keel::crash {

// Few entities, so that most events change an entity that already exists and
// a half-applied batch would show in the projections.
inline SyntheticOptions WriterEventOptions() {
  SyntheticOptions options;
  options.entities = 500;
  options.workspaces = 4;
  options.seed = 7;
  options.id_prefix = "crash";
  return options;
}

inline uint64_t MixBits(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Group sizes lie in [min_size, max_size]; the writer takes them from its
// command line (default 1..200).
struct GroupSizes {
  uint64_t min_size = 1;
  uint64_t max_size = 200;
};

// The size of the group that starts at event index `first`.
inline uint64_t GroupSizeAt(uint64_t first, const GroupSizes& sizes) {
  return sizes.min_size + MixBits(first) % (sizes.max_size - sizes.min_size + 1);
}

// The id of synthetic event `index`: what SyntheticEvents writes into "id".
inline std::string EventIdAt(uint64_t index) {
  char id[64];
  std::snprintf(id, sizeof id, "%s-%010llu", WriterEventOptions().id_prefix.c_str(),
                static_cast<unsigned long long>(index));
  return id;
}

// One acknowledgement line: "ack <last index> <head seq>".
struct Ack {
  uint64_t last_index = 0;
  uint64_t head_seq = 0;
};

inline std::string FormatAck(const Ack& ack) {
  return "ack " + std::to_string(ack.last_index) + " " + std::to_string(ack.head_seq) + "\n";
}

inline std::optional<Ack> ParseAck(std::string_view line) {
  unsigned long long last = 0, head = 0;
  char tail = 0;
  if (std::sscanf(std::string(line).c_str(), "ack %llu %llu%c", &last, &head, &tail) != 2) return std::nullopt;
  return Ack{last, head};
}

}  // namespace keel::crash
