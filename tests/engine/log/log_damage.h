// Damage done on purpose to a stored keel log, for the tests outside
// tests/engine that check how keel's commands answer it (keel verify, keel
// replay, a writer that finds its head behind). They say what to damage;
// this header knows where the log stores it (engine/log_format.h), so that a
// change to the layout changes the engine's tests only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "engine/log_format.h"
#include "tests/support/raw_db.h"

namespace keel::testing {

// Edits the canonical bytes of the stored event `seq` in place, keeping its
// stored hash, as a disk that flips bytes or an attacker would. False when
// the database cannot be opened, the event is not stored, or `edit` returns
// false (it found nothing to change).
inline bool EditStoredEvent(const std::filesystem::path& db, uint64_t seq,
                            const std::function<bool(std::string* canonical)>& edit) {
  RawDb raw(db);
  if (!raw.ok()) return false;
  const std::string family(log_format::kEvents), key = log_format::EventKey(seq);
  std::string record = raw.Get(family, key);
  constexpr size_t kHeader = 1 + log_format::kHashSize;
  if (record.size() <= kHeader) return false;
  std::string canonical = record.substr(kHeader);
  if (!edit(&canonical)) return false;
  raw.Put(family, key, record.substr(0, kHeader) + canonical);
  return true;
}

// Makes the stored head record say `seq`, keeping its hash. False when the
// database cannot be opened or holds no head.
inline bool SetStoredHeadSeq(const std::filesystem::path& db, uint64_t seq) {
  RawDb raw(db);
  if (!raw.ok()) return false;
  const std::string family(log_format::kMeta), key(log_format::kMetaHead);
  std::string head = raw.Get(family, key);
  if (head.size() != 8 + log_format::kHashSize) return false;
  head.replace(0, 8, log_format::EventKey(seq));
  raw.Put(family, key, head);
  return true;
}

}  // namespace keel::testing
