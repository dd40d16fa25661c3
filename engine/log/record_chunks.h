// Reading a column family on a thread of its own: the records are copied in
// chunks and handed, in key order, to the thread that checks them. Reading
// (RocksDB's iterator, block decompression) and checking (hashing, decoding,
// comparing) each take about half of `keel verify`'s time: on two cores they
// overlap. Two readers also let one thread walk two logs side by side.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/log/event_log.h"

namespace keel {

// Copies of consecutive records; views into it stay valid while it lives.
class RecordChunk {
 public:
  void Add(std::string_view key, std::string_view value) {
    bounds_.push_back({bytes_.size(), key.size(), value.size()});
    bytes_.append(key).append(value);
  }
  size_t size() const { return bounds_.size(); }
  std::string_view key(size_t i) const { return std::string_view(bytes_).substr(bounds_[i].at, bounds_[i].key); }
  std::string_view value(size_t i) const {
    return std::string_view(bytes_).substr(bounds_[i].at + bounds_[i].key, bounds_[i].value);
  }

 private:
  struct Bounds {
    size_t at, key, value;
  };
  std::string bytes_;
  std::vector<Bounds> bounds_;
};

template <typename Batch>
class BoundedQueue;
using ChunkQueue = BoundedQueue<RecordChunk>;

// Pulls the records of one column family, in key order, from a reading
// thread that starts with the constructor and stops with the destructor.
// One consumer thread.
class ColumnFamilyReader {
 public:
  ColumnFamilyReader(const EventLog& log, std::string_view family);
  ~ColumnFamilyReader();
  ColumnFamilyReader(const ColumnFamilyReader&) = delete;
  ColumnFamilyReader& operator=(const ColumnFamilyReader&) = delete;

  // The next record; false at the end or on a read error (see status()).
  // The views stay valid until the next call.
  bool Next(std::string_view* key, std::string_view* value);
  // The scan's error, once Next returned false.
  Status status() const;

 private:
  std::unique_ptr<ChunkQueue> queue_;
  RecordChunk chunk_;
  size_t next_in_chunk_ = 0;
  std::thread reader_;
};

// Calls `visit` for every record of `family`, in key order, on the calling
// thread while another reads ahead. Returns the scan's error, if any; the
// records read before it were visited.
Status ScanInChunks(const EventLog& log, std::string_view family,
                    const std::function<void(std::string_view key, std::string_view value)>& visit);

}  // namespace keel
