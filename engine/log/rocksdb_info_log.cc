#include "engine/log/rocksdb_info_log.h"

#include <cstdarg>
#include <cstdio>

namespace keel {
namespace {

class InfoLog final : public rocksdb::Logger {
 public:
  explicit InfoLog(std::FILE* file) : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), file_(file) {}
  ~InfoLog() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (file_ == nullptr) return;
    // Errors are ignored: a line lost from LOG is no reason to stop.
    std::vfprintf(file_, format, ap);
    std::fputc('\n', file_);
    std::fflush(file_);
  }

 private:
  std::FILE* file_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::filesystem::path& dir, bool read_only) {
  std::FILE* file = read_only ? nullptr : std::fopen((dir / "LOG").c_str(), "ae");
  return std::make_shared<InfoLog>(file);
}

}  // namespace keel
