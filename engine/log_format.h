// The on-disk layout of a keel log: column family names, key encodings and
// record versions. engine/FORMAT.md describes the same thing in prose; keep
// them in step. Stored numbers are fixed and never renumbered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keel::log_format {

// Column families. "default" exists (RocksDB requires it) and stays empty.
inline constexpr std::string_view kEvents = "events";
inline constexpr std::string_view kByStream = "by_stream";
inline constexpr std::string_view kById = "by_id";
inline constexpr std::string_view kEntities = "entities";
inline constexpr std::string_view kTimers = "timers";
inline constexpr std::string_view kMeta = "meta";
inline constexpr std::string_view kRulesets = "rulesets";
inline constexpr std::string_view kAllFamilies[] = {kEvents, kByStream, kById, kEntities, kTimers, kMeta, kRulesets};

// Record versions: the first byte of every value in `events` and `entities`.
inline constexpr uint8_t kEventRecordV1 = 1;   // [1][hash:32][canonical event]
inline constexpr uint8_t kEntityRecordV1 = 1;  // [1][canonical state]
inline constexpr size_t kHashSize = 32;

// Keys in `meta`.
inline constexpr std::string_view kMetaFormat = "format";  // value: kFormatName
inline constexpr std::string_view kFormatName = "keel-log-2";
// Earlier formats this release knows only to refuse, with what to do instead.
// keel-log-1 keyed `by_id` by the event id alone: ids were global, so one
// workspace could block another's ids (keel-log-2 keys them per workspace).
inline constexpr std::string_view kFormatNameV1 = "keel-log-1";
inline constexpr std::string_view kMetaHead = "head";  // value: seq:8 BE + hash:32
inline constexpr std::string_view kMetaWorkspacePrefix = "workspace/";  // + name, value empty
inline constexpr std::string_view kMetaRuleSet = "ruleset";  // value: the active rule set's hash (64 hex)
// value: the cascade limits of the active rule set, canonical JSON
// {"max_depth":N,"max_derived":N}; absent: the defaults.
inline constexpr std::string_view kMetaRuleSetLimits = "ruleset_limits";
// Written by sources and sinks together with events (EventLog::Append's meta):
// "source/" + the source's name, value: the next position to read, 8 bytes BE;
// "outbox/" + the sink's name, value: the last seq it delivered, 8 bytes BE.
inline constexpr std::string_view kMetaSourcePrefix = "source/";
inline constexpr std::string_view kMetaOutboxPrefix = "outbox/";

// "alias/" + workspace \0 + a tool's name for an item (TOOL:KEY, from an
// external link's target or TOOL:remote_id), value: the keel entity it is
// linked to, KIND/ID. Written by the append path only (engine/log/aliases.h).
inline constexpr std::string_view kMetaAliasPrefix = "alias/";

inline bool IsWritableMetaKey(std::string_view key) {
  auto under = [key](std::string_view prefix) { return key.size() > prefix.size() && key.starts_with(prefix); };
  return under(kMetaSourcePrefix) || under(kMetaOutboxPrefix);
}

// Separates the parts of composite keys; workspaces, kinds and ids never
// contain control characters (the schemas refuse them).
inline constexpr char kKeySeparator = '\0';

inline void AppendBigEndian64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

inline void EncodeBigEndian64(uint64_t value, char out[8]) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(value >> (56 - 8 * i));
}

inline uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = value << 8 | static_cast<uint8_t>(bytes[i]);
  return value;
}

inline std::string EventKey(uint64_t seq) {
  std::string key;
  AppendBigEndian64(seq, &key);
  return key;
}

// workspace \0 kind \0 id \0 ; the prefix of every by_stream key of one entity.
inline std::string StreamPrefix(std::string_view workspace, std::string_view kind, std::string_view id) {
  std::string key;
  key.reserve(workspace.size() + kind.size() + id.size() + 11);
  key.append(workspace).push_back(kKeySeparator);
  key.append(kind).push_back(kKeySeparator);
  key.append(id).push_back(kKeySeparator);
  return key;
}

inline std::string StreamKey(std::string_view workspace, std::string_view kind, std::string_view id,
                             uint64_t seq) {
  std::string key = StreamPrefix(workspace, kind, id);
  AppendBigEndian64(seq, &key);
  return key;
}

// StreamKey written over `*key`, for a caller that reuses one buffer.
inline void AssignStreamKey(std::string_view workspace, std::string_view kind, std::string_view id, uint64_t seq,
                            std::string* key) {
  key->assign(workspace).push_back(kKeySeparator);
  key->append(kind).push_back(kKeySeparator);
  key->append(id).push_back(kKeySeparator);
  AppendBigEndian64(seq, key);
}

// workspace \0 event id: the by_id key. Ids are unique per workspace only
// (invariant 3), so the same id in two workspaces is two events.
inline std::string IdKey(std::string_view workspace, std::string_view event_id) {
  std::string key;
  key.reserve(workspace.size() + event_id.size() + 1);
  key.append(workspace).push_back(kKeySeparator);
  key.append(event_id);
  return key;
}

// workspace \0 kind \0 id
inline std::string EntityKey(std::string_view workspace, std::string_view kind, std::string_view id) {
  std::string key = StreamPrefix(workspace, kind, id);
  key.pop_back();
  return key;
}

// A key with its separators shown as '/', for messages: "acme/task/T-1".
inline std::string PrintableKey(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    if (c == kKeySeparator) c = '/';
  }
  return out;
}

// The meta key of an alias: "alias/" workspace \0 name.
inline std::string AliasKey(std::string_view workspace, std::string_view name) {
  std::string key(kMetaAliasPrefix);
  key.append(workspace).push_back(kKeySeparator);
  key.append(name);
  return key;
}

// EntityKey written over `*key`, for a caller that reuses one buffer.
inline void AssignEntityKey(std::string_view workspace, std::string_view kind, std::string_view id,
                            std::string* key) {
  key->assign(workspace).push_back(kKeySeparator);
  key->append(kind).push_back(kKeySeparator);
  key->append(id);
}

// Keys in `timers` (engine/FORMAT.md, "timers"): two kinds, told apart by
// their first byte, so that a range scan of the due ones reads nothing else.
//   'F' fire time (8 bytes, order-preserving) workspace \0 timer id -> timer record
//   'I' workspace \0 timer id -> fire time (8 bytes), to find a timer by id
inline constexpr char kTimerDuePrefix = 'F';
inline constexpr char kTimerIdPrefix = 'I';
inline constexpr uint8_t kTimerRecordV1 = 1;  // [1][canonical timer spec]

// Microseconds since the epoch as 8 bytes whose byte order is their numeric
// order (the sign bit flipped), for times before 1970 too.
inline void AppendOrderedMicros(int64_t micros, std::string* out) {
  AppendBigEndian64(static_cast<uint64_t>(micros) ^ (uint64_t{1} << 63), out);
}
inline int64_t ReadOrderedMicros(std::string_view bytes) {
  return static_cast<int64_t>(ReadBigEndian64(bytes) ^ (uint64_t{1} << 63));
}

inline std::string TimerDueKey(int64_t fire_micros, std::string_view workspace, std::string_view timer_id) {
  std::string key(1, kTimerDuePrefix);
  AppendOrderedMicros(fire_micros, &key);
  key.append(workspace).push_back(kKeySeparator);
  key.append(timer_id);
  return key;
}

// The first key after every timer due at or before `micros`.
inline std::string TimerDueBound(int64_t micros) {
  std::string key(1, kTimerDuePrefix);
  AppendOrderedMicros(micros + 1, &key);
  return key;
}

inline std::string TimerIdKey(std::string_view workspace, std::string_view timer_id) {
  std::string key(1, kTimerIdPrefix);
  key.append(workspace).push_back(kKeySeparator);
  key.append(timer_id);
  return key;
}

}  // namespace keel::log_format
