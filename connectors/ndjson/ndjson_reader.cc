#include "connectors/ndjson/ndjson_reader.h"

#include <cerrno>
#include <cstring>

namespace keel {
namespace {

constexpr size_t kMinBuffer = size_t{1} << 20;

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<NdjsonReader>> NdjsonReader::Open(const std::string& path, size_t max_line_bytes) {
  if (path == "-") {
    return std::unique_ptr<NdjsonReader>(new NdjsonReader(stdin, false, "standard input", max_line_bytes));
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Status::IOError("cannot open '" + path + "': " + std::strerror(errno));
  }
  return std::unique_ptr<NdjsonReader>(new NdjsonReader(file, true, path, max_line_bytes));
}

NdjsonReader::NdjsonReader(std::FILE* file, bool owned, std::string name, size_t max_line_bytes)
    : file_(file),
      owned_(owned),
      name_(std::move(name)),
      max_line_bytes_(max_line_bytes),
      buffer_(std::max(kMinBuffer, 2 * max_line_bytes + 2)) {}

NdjsonReader::~NdjsonReader() {
  if (owned_) std::fclose(file_);
}

Result<bool> NdjsonReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  size_t n = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
  if (n == 0) {
    if (std::ferror(file_)) return Status::IOError("cannot read " + name_ + ": " + std::strerror(errno));
    eof_ = true;
    return false;
  }
  end_ += n;
  return true;
}

Result<bool> NdjsonReader::Next(NdjsonLine* line) {
  while (true) {
    const char* start = buffer_.data() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    size_t available = end_ - begin_;
    if (newline == nullptr && available <= max_line_bytes_ && !eof_) {
      KEEL_ASSIGN_OR_RETURN(bool more, Fill());
      if (more) continue;
      start = buffer_.data() + begin_;
      available = end_ - begin_;
    }
    if (newline == nullptr && available > max_line_bytes_) return SkipRestOfLongLine(line);
    if (newline == nullptr && available == 0) return false;
    size_t length = newline ? static_cast<const char*>(newline) - start : available;
    begin_ += newline ? length + 1 : length;
    ++line_number_;
    std::string_view text(start, length);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (IsBlank(text)) continue;
    *line = NdjsonLine{line_number_, text, text.size(), text.size() > max_line_bytes_};
    if (line->oversized) line->text = {};
    return true;
  }
}

Result<bool> NdjsonReader::SkipRestOfLongLine(NdjsonLine* line) {
  ++line_number_;
  size_t length = 0;
  while (true) {
    const char* start = buffer_.data() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    if (newline != nullptr) {
      size_t part = static_cast<const char*>(newline) - start;
      length += part;
      begin_ += part + 1;
      break;
    }
    length += end_ - begin_;
    begin_ = end_;
    KEEL_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) break;
  }
  *line = NdjsonLine{line_number_, {}, length, true};
  return true;
}

}  // namespace keel
