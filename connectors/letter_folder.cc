#include "connectors/letter_folder.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "engine/durable_file.h"

namespace keel {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSuffix = ".json";

bool IsLetterFile(const fs::path& path) {
  std::string name = path.filename().string();
  return name.size() > kSuffix.size() && name.ends_with(kSuffix);
}

}  // namespace

bool IsFileSafeName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

Result<std::unique_ptr<LetterFolder>> LetterFolder::Open(const fs::path& dir, LetterFolderLimits limits) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return Status::IOError("cannot create the dead-letter folder '" + dir.string() + "': " + error.message());
  std::unique_ptr<LetterFolder> folder(new LetterFolder(dir, limits));
  MutexLock lock(&folder->mu_);
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    const fs::path& path = entry.path();
    if (path.extension() == ".tmp") continue;  // a write a crash cut short: never renamed, so never kept
    if (!IsLetterFile(path) || !entry.is_regular_file()) {
      return Status::Corruption("the dead-letter folder '" + dir.string() + "' holds '" + path.filename().string() +
                                "', which is not a dead letter");
    }
    uint64_t bytes = entry.file_size(error);
    folder->sizes_[path.stem().string()] = bytes;
    folder->total_bytes_ += bytes;
  }
  if (error) return Status::IOError("cannot list the dead-letter folder '" + dir.string() + "': " + error.message());
  return folder;
}

fs::path LetterFolder::FileOf(std::string_view id) const { return dir_ / (std::string(id) + std::string(kSuffix)); }

Status LetterFolder::Put(std::string_view id, std::string_view text, std::string_view when_full) {
  MutexLock lock(&mu_);
  auto existing = sizes_.find(id);
  uint64_t replaced = existing == sizes_.end() ? 0 : existing->second;
  bool grows = existing == sizes_.end();
  if ((grows && sizes_.size() >= limits_.max_letters) || total_bytes_ - replaced + text.size() > limits_.max_bytes ||
      text.size() > kMaxFileBytes) {
    return Status::ResourceExhausted("the dead letters are full (" + std::to_string(sizes_.size()) + " letters, " +
                                     std::to_string(total_bytes_) + " bytes): " + std::string(when_full));
  }
  KEEL_RETURN_IF_ERROR(ReplaceFileDurably(FileOf(id), text));
  total_bytes_ = total_bytes_ - replaced + text.size();
  sizes_[std::string(id)] = text.size();
  return Status::OK();
}

Result<std::string> LetterFolder::Read(std::string_view id) const {
  {
    MutexLock lock(&mu_);
    if (!sizes_.contains(id)) return Status::NotFound("no dead letter '" + std::string(id) + "'");
  }
  fs::path path = FileOf(id);
  std::error_code error;
  uintmax_t size = fs::file_size(path, error);
  if (error) return Status::IOError("cannot read dead letter '" + path.string() + "': " + error.message());
  if (size > kMaxFileBytes) {
    return Status::Corruption("dead letter '" + path.string() + "' is damaged: " + std::to_string(size) +
                              " bytes, more than a letter can hold");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::IOError("cannot read dead letter '" + path.string() + "'");
  return text.str();
}

Status LetterFolder::Remove(std::string_view id) {
  MutexLock lock(&mu_);
  auto it = sizes_.find(id);
  if (it == sizes_.end()) return Status::NotFound("no dead letter '" + std::string(id) + "'");
  KEEL_RETURN_IF_ERROR(RemoveFileDurably(FileOf(id)));
  total_bytes_ -= it->second;
  sizes_.erase(it);
  return Status::OK();
}

std::vector<std::string> LetterFolder::Ids() const {
  MutexLock lock(&mu_);
  std::vector<std::string> ids;
  ids.reserve(sizes_.size());
  for (const auto& [id, bytes] : sizes_) ids.push_back(id);
  return ids;
}

size_t LetterFolder::size() const {
  MutexLock lock(&mu_);
  return sizes_.size();
}

uint64_t LetterFolder::bytes() const {
  MutexLock lock(&mu_);
  return total_bytes_;
}

}  // namespace keel
