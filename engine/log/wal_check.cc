#include "engine/log/wal_check.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace keel {
namespace {

namespace fs = std::filesystem;

// RocksDB's write-ahead log format (its db/log_format.h): the file is cut
// into blocks; a block holds physical records, each with a header
// (masked CRC-32C of type and payload, payload length, type) and never
// crosses into the next block; fewer than a header's bytes left at a
// block's end are zeros. A logical record too big for one block is written
// as first, middle..., last fragments.
constexpr size_t kBlockSize = 32768;
constexpr size_t kHeaderSize = 7;
constexpr size_t kRecyclableHeaderSize = 11;  // + the log number
constexpr uint32_t kCrcMaskDelta = 0xa282ead8u;

enum RecordType : uint8_t {
  kZeroType = 0,
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
  kRecyclableFullType = 5,
  kRecyclableLastType = 8,
  kSetCompressionType = 9,
  kUserDefinedTimestampSizeType = 10,
  kRecyclableUserDefinedTimestampSizeType = 11,
};

const std::array<uint32_t, 256>& Crc32cTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t crc = i;
      for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
      t[i] = crc;
    }
    return t;
  }();
  return table;
}

// CRC-32C (Castagnoli), continued from `crc` as RocksDB's crc32c::Extend.
uint32_t ExtendCrc32c(uint32_t crc, const unsigned char* data, size_t size) {
  const auto& table = Crc32cTable();
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kCrcMaskDelta;
  return (rot >> 17) | (rot << 15);
}

uint32_t ReadLittleEndian32(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

bool IsRecyclable(uint8_t type) {
  return (type >= kRecyclableFullType && type <= kRecyclableLastType) ||
         type == kRecyclableUserDefinedTimestampSizeType;
}

bool IsKnownType(uint8_t type) { return type >= kFullType && type <= kRecyclableUserDefinedTimestampSizeType; }

// Where fragment `type` leaves a logical record: in one (after first or
// middle) or not. Returns false when it cannot follow the one before.
bool FollowsFragments(uint8_t type, bool* in_fragmented_record) {
  uint8_t base = IsRecyclable(type) && type <= kRecyclableLastType ? type - 4 : type;
  switch (base) {
    case kFirstType:
      if (*in_fragmented_record) return false;
      *in_fragmented_record = true;
      return true;
    case kMiddleType: return *in_fragmented_record;
    case kLastType:
      if (!*in_fragmented_record) return false;
      *in_fragmented_record = false;
      return true;
    default:  // a whole record, or metadata: not inside a fragmented one
      return !*in_fragmented_record;
  }
}

std::string DamageMessage(const fs::path& file, uint64_t offset, const std::string& what) {
  return "write-ahead log '" + file.string() + "' is damaged at byte " + std::to_string(offset) + " (" + what +
         "), and committed events may follow it: keel refuses to open the log rather than drop them, and "
         "changed nothing; restore that file from a copy";
}

// Reads one write-ahead log file; the damage found, if any.
class WalFileCheck {
 public:
  explicit WalFileCheck(const fs::path& file) : file_(file) {}

  Status Run() {
    std::ifstream in(file_, std::ios::binary);
    if (!in) {
      int err = errno;
      return Status::IOError("cannot read write-ahead log '" + file_.string() + "': " + std::strerror(err));
    }
    bool in_fragmented_record = false;
    std::vector<unsigned char> block(kBlockSize);
    for (uint64_t block_start = 0;; block_start += kBlockSize) {
      in.read(reinterpret_cast<char*>(block.data()), kBlockSize);
      size_t size = static_cast<size_t>(in.gcount());
      if (in.bad()) return Status::IOError("cannot read write-ahead log '" + file_.string() + "'");
      const bool last_block = size < kBlockSize || in.peek() == std::char_traits<char>::eof();
      in.clear();
      size_t pos = 0;
      while (pos + kHeaderSize <= size) {
        const unsigned char* header = block.data() + pos;
        uint64_t offset = block_start + pos;
        uint8_t type = header[6];
        size_t length = header[4] | (size_t{header[5]} << 8);
        // Zeros: space never written, or damage when anything but zeros follows.
        if (type == kZeroType && length == 0) return Damage(in, block, pos, size, offset, "a zeroed record header");
        if (!IsKnownType(type)) return Damage(in, block, pos, size, offset, "unknown record type " + std::to_string(type));
        size_t header_size = IsRecyclable(type) ? kRecyclableHeaderSize : kHeaderSize;
        if (pos + header_size + length > kBlockSize) {
          return Damage(in, block, pos, size, offset, "a record length that crosses its 32 KiB block");
        }
        // Cut short by the end of the file (only the last block can be
        // short): a torn tail.
        if (pos + header_size + length > size) return Status::OK();
        uint32_t crc = ExtendCrc32c(0, header + 6, 1);
        if (header_size == kRecyclableHeaderSize) crc = ExtendCrc32c(crc, header + kHeaderSize, 4);
        crc = ExtendCrc32c(crc, header + header_size, length);
        if (crc != Unmask(ReadLittleEndian32(header))) {
          return Status::Corruption(DamageMessage(file_, offset, "checksum mismatch"));
        }
        if (!FollowsFragments(type, &in_fragmented_record)) {
          return Status::Corruption(DamageMessage(file_, offset, "a fragment out of order"));
        }
        pos += header_size + length;
      }
      if (last_block) return Status::OK();  // a record cut within its header is a torn tail too
    }
  }

 private:
  // The bytes from `pos` on are not a record. Still a torn tail when they
  // are all zero to the end of the file; otherwise damage named `what`.
  Status Damage(std::ifstream& in, std::vector<unsigned char>& block, size_t pos, size_t size, uint64_t offset,
                const std::string& what) {
    auto zero = [](unsigned char c) { return c == 0; };
    bool all_zero = std::all_of(block.begin() + static_cast<std::ptrdiff_t>(pos),
                                block.begin() + static_cast<std::ptrdiff_t>(size), zero);
    while (all_zero) {
      in.read(reinterpret_cast<char*>(block.data()), kBlockSize);
      size_t n = static_cast<size_t>(in.gcount());
      if (n == 0) break;
      all_zero = std::all_of(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n), zero);
    }
    if (all_zero) return Status::OK();
    return Status::Corruption(DamageMessage(file_, offset, what));
  }

  fs::path file_;
};

bool IsWalFileName(const std::string& name) {
  if (name.size() <= 4 || !name.ends_with(".log")) return false;
  return std::all_of(name.begin(), name.end() - 4, [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Status CheckWriteAheadLogs(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (IsWalFileName(it->path().filename().string())) files.push_back(it->path());
  }
  if (ec) return Status::IOError("cannot list '" + dir.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) KEEL_RETURN_IF_ERROR(WalFileCheck(file).Run());
  return Status::OK();
}

}  // namespace keel
