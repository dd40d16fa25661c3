// NdjsonReader: newline-delimited JSON from a file or standard input, one
// event per line, with line numbers for error messages. Lines over the size
// limit are reported without being held in memory.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace keel {

struct NdjsonLine {
  uint64_t number = 0;     // 1-based line number in the input
  std::string_view text;   // without the line break; empty when oversized
  size_t length = 0;       // the line's length in bytes
  bool oversized = false;  // longer than the limit; `text` was dropped
};

// Not thread-safe.
class NdjsonReader {
 public:
  // `path` "-" reads standard input.
  static Result<std::unique_ptr<NdjsonReader>> Open(const std::string& path, size_t max_line_bytes);
  ~NdjsonReader();

  // Reads the next line that holds anything but whitespace. `line->text`
  // stays valid until the next call. Returns false at the end of the input.
  Result<bool> Next(NdjsonLine* line);

 private:
  NdjsonReader(std::FILE* file, bool owned, std::string name, size_t max_line_bytes);
  // Reads more input after the unread part of the buffer; false at the end.
  Result<bool> Fill();
  Result<bool> SkipRestOfLongLine(NdjsonLine* line);

  std::FILE* file_;
  bool owned_;
  std::string name_;
  size_t max_line_bytes_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // unread input is buffer_[begin_, end_)
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t line_number_ = 0;
};

}  // namespace keel
