// LetterFolder: a bounded folder of durable letters, one JSON file per
// letter, named after its id. The webhook receiver's dead letters
// (connectors/webhooks/dead_letters.h) and the sinks' dead letters
// (connectors/sinks/sink_dead_letters.h) keep their letters in one each; what
// a letter holds is theirs, this only keeps the files whole (each written
// durably: a crash leaves the old file or the new one), counted and bounded.
//
// Safe for concurrent use without external synchronization.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/mutex.h"
#include "engine/status.h"

namespace keel {

struct LetterFolderLimits {
  size_t max_letters = 10000;
  uint64_t max_bytes = uint64_t{256} << 20;  // the files together
};

class LetterFolder {
 public:
  // A letter's file is at most this big: a bigger one is damage.
  static constexpr uint64_t kMaxFileBytes = uint64_t{64} << 20;

  // Opens (creating it when missing) the folder `dir`, counting what it
  // holds. A file that is not a letter (NAME.json) is an error naming it; a
  // NAME.json.tmp a crash left behind (never renamed, so never kept) is
  // passed over.
  static Result<std::unique_ptr<LetterFolder>> Open(const std::filesystem::path& dir, LetterFolderLimits limits);

  // Keeps `text` as the letter `id` (a name a file can carry: see
  // IsFileSafeName), replacing one of the same id; its file is on disk when
  // this returns. ResourceExhausted when it does not fit the limits, with
  // `when_full` (what to do about it) at the end of the message.
  Status Put(std::string_view id, std::string_view text, std::string_view when_full);
  // The letter's text; NotFound when there is no letter `id`.
  Result<std::string> Read(std::string_view id) const;
  // Removes the letter; durable on return. NotFound when there is none.
  Status Remove(std::string_view id);

  // The ids of the letters kept, sorted.
  std::vector<std::string> Ids() const;
  size_t size() const;
  uint64_t bytes() const;
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path FileOf(std::string_view id) const;

 private:
  LetterFolder(std::filesystem::path dir, LetterFolderLimits limits) : dir_(std::move(dir)), limits_(limits) {}

  const std::filesystem::path dir_;
  const LetterFolderLimits limits_;
  mutable Mutex mu_;
  std::map<std::string, uint64_t, std::less<>> sizes_ GUARDED_BY(mu_);  // id -> bytes
  uint64_t total_bytes_ GUARDED_BY(mu_) = 0;
};

// A name a letter's id may start with and a file can carry: 1 to 64
// letters, digits, '.', '_' or '-', not starting with '.'.
bool IsFileSafeName(std::string_view name);

}  // namespace keel
