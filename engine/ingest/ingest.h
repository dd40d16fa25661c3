// Ingestor: the path every incoming event takes, whatever its source (a
// file, standard input, a Kafka partition): decode, validate, canonicalize,
// then append a group of events to the log in one WriteBatch.
#pragma once

#include <cstdint>
#include <future>
#include <span>
#include <string_view>
#include <vector>

#include "engine/schema/event_decoder.h"
#include "engine/log/event_log.h"

namespace keel {

// One incoming event as bytes, with where it came from (a line number, an
// offset) for messages.
struct IngestItem {
  std::string_view bytes;
  uint64_t position = 0;
  // When not empty, the event's workspace must be this (a Kafka message's
  // key, which decides its partition); otherwise it is rejected.
  std::string_view required_workspace = {};
};

struct IngestCounts {
  uint64_t appended = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;

  void Add(const AppendResult& result);
};

// Not thread-safe: one caller at a time. Submit decodes on a helper thread of
// its own; everything else runs on the caller's thread.
class Ingestor {
 public:
  // `log` and `schemas` must outlive the Ingestor.
  Ingestor(EventLog* log, const SchemaRegistry* schemas, DecodeOptions options = {});
  // Waits for a decode still in flight; a group submitted but not finished
  // is not appended.
  ~Ingestor();

  // Decodes the items and appends the valid ones as one group. The result
  // has one entry per item, in order: appended, duplicate, or rejected with
  // the reason (a decoding error or a log refusal). An error return means
  // the group could not be written and nothing of it was.
  // REQUIRES: no submitted group is pending (see Finish).
  // `meta` is written in the same WriteBatch (see EventLog::Append).
  Result<std::vector<AppendResult>> IngestGroup(std::span<const IngestItem> items, std::vector<MetaPut> meta = {});

  // The pipelined form of IngestGroup, for a stream of groups: decoding a
  // group (about a quarter of the CPU keel spends per event) runs on a
  // helper thread while the group before it is appended, so a second core
  // shortens the whole.
  //
  // Submit starts decoding `items` and appends the group submitted before
  // it; it returns that previous group's results (empty on the first call).
  // Finish appends the last submitted group and returns its results. An
  // error return is as for IngestGroup, about the previous group; stop then:
  // the group just submitted is dropped, and its bytes are no longer read.
  // REQUIRES: the bytes of a submitted group stay valid until the next
  // Submit or Finish returns (callers alternate two buffers).
  Result<std::vector<AppendResult>> Submit(std::span<const IngestItem> items, std::vector<MetaPut> meta = {});
  Result<std::vector<AppendResult>> Finish();

 private:
  // A group after decoding: the valid events as requests, and a result slot
  // per item (the rejected ones already filled in).
  struct DecodedGroup {
    std::vector<AppendRequest> requests;
    std::vector<size_t> item_of_request;  // request index -> item index
    std::vector<AppendResult> results;
    std::vector<MetaPut> meta;
  };
  static DecodedGroup Decode(EventDecoder* decoder, std::span<const IngestItem> items);
  Result<std::vector<AppendResult>> Append(DecodedGroup group);

  EventLog* log_;
  EventDecoder decoder_;
  std::future<DecodedGroup> in_flight_;  // the decode Submit started, if any
};

}  // namespace keel
