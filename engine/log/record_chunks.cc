#include "engine/log/record_chunks.h"

#include <utility>

#include "engine/bounded_queue.h"

namespace keel {

namespace {

constexpr size_t kRecordsPerChunk = 512;
// Chunks read ahead of the consumer: enough to ride out its slower records,
// few enough to keep memory small.
constexpr size_t kChunksInFlight = 8;

}  // namespace

ColumnFamilyReader::ColumnFamilyReader(const EventLog& log, std::string_view family)
    : queue_(std::make_unique<ChunkQueue>(kChunksInFlight)) {
  reader_ = std::thread([this, &log, family = std::string(family)] {
    RecordChunk chunk;
    bool wanted = true;
    Status scanned = log.ScanColumnFamily(family, [&](std::string_view key, std::string_view value) {
      chunk.Add(key, value);
      if (chunk.size() == kRecordsPerChunk) wanted = queue_->Push(std::exchange(chunk, RecordChunk()));
      return wanted;
    });
    if (wanted && chunk.size() > 0) queue_->Push(std::move(chunk));
    queue_->Close(std::move(scanned));
  });
}

ColumnFamilyReader::~ColumnFamilyReader() {
  queue_->Abandon();
  reader_.join();
}

bool ColumnFamilyReader::Next(std::string_view* key, std::string_view* value) {
  while (next_in_chunk_ == chunk_.size()) {
    if (!queue_->Pop(&chunk_)) return false;
    next_in_chunk_ = 0;
  }
  *key = chunk_.key(next_in_chunk_);
  *value = chunk_.value(next_in_chunk_);
  ++next_in_chunk_;
  return true;
}

Status ColumnFamilyReader::status() const { return queue_->status(); }

Status ScanInChunks(const EventLog& log, std::string_view family,
                    const std::function<void(std::string_view key, std::string_view value)>& visit) {
  ColumnFamilyReader reader(log, family);
  std::string_view key, value;
  while (reader.Next(&key, &value)) visit(key, value);
  return reader.status();
}

}  // namespace keel
