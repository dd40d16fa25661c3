#include "engine/log/stored_positions.h"

#include <string>

#include "engine/log_format.h"

namespace keel {
namespace {

MetaPut PositionPut(std::string_view prefix, std::string_view name, uint64_t position) {
  std::string key(prefix);
  key.append(name);
  return MetaPut{std::move(key), log_format::EventKey(position)};
}

Result<std::optional<uint64_t>> ReadPosition(const EventLog& log, std::string_view prefix, std::string_view name) {
  std::string key(prefix);
  key.append(name);
  Result<std::string> stored = log.GetRaw(log_format::kMeta, key);
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kNotFound) return std::optional<uint64_t>();
    return stored.status();
  }
  if (stored->size() != 8) return Status::Corruption("meta key '" + key + "' is not 8 bytes");
  return std::optional<uint64_t>(log_format::ReadBigEndian64(*stored));
}

}  // namespace

MetaPut SourcePositionPut(std::string_view source, uint64_t next) {
  return PositionPut(log_format::kMetaSourcePrefix, source, next);
}

Result<std::optional<uint64_t>> ReadSourcePosition(const EventLog& log, std::string_view source) {
  return ReadPosition(log, log_format::kMetaSourcePrefix, source);
}

MetaPut SinkCursorPut(std::string_view sink, uint64_t delivered_seq) {
  return PositionPut(log_format::kMetaOutboxPrefix, sink, delivered_seq);
}

Result<std::optional<uint64_t>> ReadSinkCursor(const EventLog& log, std::string_view sink) {
  return ReadPosition(log, log_format::kMetaOutboxPrefix, sink);
}

}  // namespace keel
