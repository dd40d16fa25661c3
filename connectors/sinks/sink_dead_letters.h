// The sinks' dead letters: events a sink gave up on (a permanent refusal,
// the last try failed, the channel could not prepare them). The event itself
// stays in the log; a letter says which one (by seq), to which sink, and
// why, until `keel deliveries redrive` sends it again. One durable JSON file
// per letter in DATA/sink-dead-letters/ (connectors/letter_folder.h), named
// after its id SINK-SEQ. Never a secret: no header, no body, only the
// receiver's status and the channel's detail.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/letter_folder.h"
#include "engine/status.h"

namespace keel::sinks {

// The folder of the sinks' dead letters inside serve's `data` folder.
inline constexpr std::string_view kSinkDeadLetterFolder = "sink-dead-letters";

struct SinkDeadLetter {
  std::string id;         // set by Put: SINK-SEQ
  std::string sink;       // the sink's name (not its kind)
  uint64_t seq = 0;       // the event's place in the log
  std::string event_id;
  std::string workspace;
  int attempts = 0;       // tries made
  int status = 0;         // the last HTTP (or SMTP) status; 0 when none came back
  std::string reason;     // the last try's detail, or the Prepare error
  std::string first_try;  // RFC 3339, wall clock (for people)
  std::string last_try;
};

// Safe for concurrent use without external synchronization.
class SinkDeadLetterStore {
 public:
  static Result<std::unique_ptr<SinkDeadLetterStore>> Open(const std::filesystem::path& dir,
                                                          LetterFolderLimits limits = {});

  // Keeps `letter` durably and sets its id; the same sink and seq replace
  // the earlier letter. ResourceExhausted when the folder is full: the sink
  // then holds the event back (it does not pass it) until there is room.
  Status Put(SinkDeadLetter& letter);
  // Every letter, oldest first (by last_try, then id).
  Result<std::vector<SinkDeadLetter>> List() const;
  // NotFound when there is no letter `id`.
  Result<SinkDeadLetter> Get(std::string_view id) const;
  Status Remove(std::string_view id);
  size_t size() const { return folder_->size(); }

 private:
  explicit SinkDeadLetterStore(std::unique_ptr<LetterFolder> folder) : folder_(std::move(folder)) {}

  std::unique_ptr<LetterFolder> folder_;
};

std::string SinkDeadLetterId(std::string_view sink, uint64_t seq);

// The status a try's detail starts with ("HTTP 503: ...", "SMTP 550 ..."),
// the form connectors/sinks/delivery.h gives it; 0 when it names none.
int StatusOfDetail(std::string_view detail);

}  // namespace keel::sinks
