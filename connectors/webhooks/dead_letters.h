// The webhook receiver's dead letters: deliveries that were signed
// correctly but could not be mapped (no case matched, a field was missing,
// an event its schema refuses). Each is kept with its reason, so nothing a
// tool sent is lost, until `keel deliveries redrive` maps it again after the
// mapping is fixed. They are not events: the log holds only what was
// mapped. One JSON file per delivery in a folder of the data directory,
// written durably; connectors/webhooks/README.md has the format.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/letter_folder.h"
#include "engine/status.h"

namespace keel::webhooks {

// The folder of the dead letters inside serve's `data` folder.
inline constexpr std::string_view kDeadLetterFolder = "dead-letters";

struct DeadLetter {
  std::string id;        // set by Put: ENDPOINT-HEX, the same for a redelivery
  std::string endpoint;  // the receiving endpoint's name
  std::string delivery;  // the tool's delivery id; empty when it sent none
  std::string received;  // RFC 3339, the wall clock when it arrived (for people, not for events)
  std::string reason;    // why it was not mapped
  std::map<std::string, std::string> headers;  // lower-case names; no secrets
  std::string body;      // the raw body
};

// Bounds of the folder: at most max_letters files of max_bytes together.
using DeadLetterLimits = LetterFolderLimits;

class DeadLetterStore {
 public:
  // Opens (creating it when missing) the folder `dir`, counting what it
  // holds. A file that is not a dead letter is an error naming it.
  static Result<std::unique_ptr<DeadLetterStore>> Open(const std::filesystem::path& dir,
                                                      DeadLetterLimits limits = {});

  // Keeps `letter` durably (its file is on disk when this returns) and sets
  // its id. Its endpoint must be a name a file can carry (letters, digits,
  // '.', '_', '-'; 1 to 64; not starting with '.'). The same endpoint and delivery (or, without a delivery id, the
  // same body) replaces the earlier letter instead of adding one. A full
  // store is ResourceExhausted: the receiver then answers 503 and the tool
  // retries later, so nothing is lost.
  Status Put(DeadLetter& letter);

  // Every letter, oldest first (by `received`, then id); bodies included.
  Result<std::vector<DeadLetter>> List() const;
  // NotFound when there is no letter `id`.
  Result<DeadLetter> Get(std::string_view id) const;
  // Removes the letter (after a redrive mapped it); durable on return.
  Status Remove(std::string_view id);

  size_t size() const { return folder_->size(); }

 private:
  explicit DeadLetterStore(std::unique_ptr<LetterFolder> folder) : folder_(std::move(folder)) {}

  std::unique_ptr<LetterFolder> folder_;
};

// The id a letter of `endpoint` gets: the endpoint, a dash, and 16 hex
// digits of the SHA-256 of the delivery id (or of the body without one).
std::string DeadLetterId(std::string_view endpoint, std::string_view delivery, std::string_view body);

}  // namespace keel::webhooks
