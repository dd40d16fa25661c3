#include "engine/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace keel {
namespace {

namespace fs = std::filesystem;

Status Errno(const std::string& what, const fs::path& path) {
  return Status::IOError("cannot " + what + " '" + path.string() + "': " + std::strerror(errno));
}

Status FsyncFolder(const fs::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", folder);
  int synced = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  return synced == 0 ? Status::OK() : Errno("fsync", folder);
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

Status ReplaceFileDurably(const fs::path& file, std::string_view bytes) {
  fs::path temp = file;
  temp += ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", temp);
  bool written = WriteAll(fd, bytes) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (!written) {
    ::unlink(temp.c_str());
    return Errno("write", temp);
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) return Errno("rename to", file);
  return FsyncFolder(file.parent_path().empty() ? fs::path(".") : file.parent_path());
}

Status RemoveFileDurably(const fs::path& file) {
  if (::unlink(file.c_str()) != 0) {
    if (errno == ENOENT) return Status::OK();
    return Errno("remove", file);
  }
  return FsyncFolder(file.parent_path().empty() ? fs::path(".") : file.parent_path());
}

}  // namespace keel
