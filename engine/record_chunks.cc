#include "engine/record_chunks.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>

namespace keel {

namespace {

constexpr size_t kRecordsPerChunk = 512;
// Chunks read ahead of the consumer: enough to ride out its slower records,
// few enough to keep memory small.
constexpr size_t kChunksInFlight = 8;

}  // namespace

// A bounded first-in first-out hand-over between one producer and one
// consumer, which may stop reading early.
class ChunkQueue {
 public:
  // Blocks while the queue is full; false when the consumer has gone.
  bool Push(RecordChunk chunk) {
    std::unique_lock lock(mu_);
    has_room_.wait(lock, [&] { return chunks_.size() < kChunksInFlight || abandoned_; });
    if (abandoned_) return false;
    chunks_.push_back(std::move(chunk));
    has_chunk_.notify_one();
    return true;
  }
  void Close(Status status) {
    std::lock_guard lock(mu_);
    closed_ = true;
    status_ = std::move(status);
    has_chunk_.notify_one();
  }
  void Abandon() {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    has_room_.notify_one();
  }
  // False when the queue is closed and empty.
  bool Pop(RecordChunk* chunk) {
    std::unique_lock lock(mu_);
    has_chunk_.wait(lock, [&] { return !chunks_.empty() || closed_; });
    if (chunks_.empty()) return false;
    *chunk = std::move(chunks_.front());
    chunks_.pop_front();
    has_room_.notify_one();
    return true;
  }
  Status status() const {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable has_room_, has_chunk_;
  std::deque<RecordChunk> chunks_;
  bool closed_ = false;
  bool abandoned_ = false;
  Status status_;
};

ColumnFamilyReader::ColumnFamilyReader(const EventLog& log, std::string_view family)
    : queue_(std::make_unique<ChunkQueue>()) {
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
