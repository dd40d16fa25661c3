// keel serve on a full disk must log the error as a JSON line and exit 1,
// so that a supervisor restarts it, and leave every partition log as it was
// after its last whole batch; with room again, serve goes on from there.
// Two disks fill up here: a small tmpfs (ENOSPC, as on a real full disk;
// the test is skipped where mounting is not allowed), and a file size limit
// (RLIMIT_FSIZE: EFBIG), which works everywhere.
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

constexpr int kInputs = 3000;

// The JSON lines of `log` whose level is "error".
std::vector<nlohmann::json> ErrorLines(const std::string& log) {
  std::vector<nlohmann::json> errors;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_object() && parsed.value("level", "") == "error") errors.push_back(parsed);
  }
  return errors;
}

// A tmpfs of `size` (as mount(8) writes it) at `dir` while it lives.
class SmallDisk {
 public:
  SmallDisk(const std::filesystem::path& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  // Room again.
  bool Grow(const std::string& size) {
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
  }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
};

class ServeDiskFullTest : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    CreateTopics();
    inputs_ = TaskEvents("full", kInputs);
    ProduceAll(cluster_->bootstrap(), "work-events", inputs_);
  }

  // Small batches, so that some are whole in the logs before the disk is
  // full.
  ServeSettings SmallBatches(const std::string& data) {
    ServeSettings settings = Settings(data);
    settings.extra["batch_max_messages"] = "100";
    return settings;
  }

  // serve stopped by itself with exit 1 and a JSON error line saying
  // `cause`.
  void ExpectStoppedOnTheError(KeelServe& serve, const std::string& cause) {
    std::optional<int> code = serve.WaitForExit(120s);
    ASSERT_TRUE(code.has_value()) << "keel serve went on with a full disk; log:\n" << serve.LogText();
    EXPECT_EQ(*code, 1) << serve.LogText();
    std::vector<nlohmann::json> errors = ErrorLines(serve.LogText());
    ASSERT_FALSE(errors.empty()) << serve.LogText();
    EXPECT_NE(errors.front().value("error", "").find(cause), std::string::npos) << errors.front().dump();
  }

  // Every input the logs hold is there once and has derived its comment: no
  // batch was written in part.
  void ExpectWholeBatchesOnly(const std::string& data) {
    std::map<std::string, int> inputs_in_logs = InputEventsInLogs(data);
    std::map<std::string, int> derived_by_cause;
    ForEachEventInLogs(data, [&](const StoredEvent& stored) {
      if (stored.event.type == "comment.added") ++derived_by_cause[stored.event.causation_id];
    });
    EXPECT_FALSE(inputs_in_logs.empty()) << "no batch was written before the disk filled up";
    EXPECT_LT(inputs_in_logs.size(), inputs_.size()) << "the disk never filled up";
    for (const auto& [id, times] : inputs_in_logs) {
      EXPECT_EQ(times, 1) << id;
      EXPECT_EQ(derived_by_cause[id], 1) << id;
    }
    EXPECT_EQ(derived_by_cause.size(), inputs_in_logs.size());
  }

  // A serve without limits goes on from where the logs end: every input
  // applied once.
  void ExpectRestartAppliesTheRestOnce(const std::string& data) {
    std::set<std::string> ids;
    for (const Record& r : inputs_) ids.insert(JsonField(r.value, "id"));
    auto again = StartServe(Settings(data), "again");
    WaitForDerived(ids, 120s);
    EXPECT_EQ(again->Stop(), 0) << again->LogText();
    std::map<std::string, int> applied = InputEventsInLogs(data);
    EXPECT_EQ(applied.size(), inputs_.size());
    for (const auto& [id, times] : applied) EXPECT_EQ(times, 1) << id;
  }

  std::vector<Record> inputs_;
};

// It used to abort (exit 134): RocksDB asserted while logging to its own
// info LOG, whose write had failed on the full disk.
TEST_F(ServeDiskFullTest, FullDiskStopsServeWithAnErrorLineAndWholeBatchesOnly) {
  SmallDisk disk(dir_ / "disk", "2m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  auto serve = std::make_unique<KeelServe>(WriteServeConfig(dir_ / "serve.yaml", SmallBatches("disk/data")),
                                           dir_ / "serve.log");
  ExpectStoppedOnTheError(*serve, "No space left on device");
  ExpectWholeBatchesOnly("disk/data");
  ASSERT_TRUE(disk.Grow("256m"));
  ExpectRestartAppliesTheRestOnce("disk/data");
}

TEST_F(ServeDiskFullTest, FileSizeLimitStopsServeWithAnErrorLineAndWholeBatchesOnly) {
  constexpr uint64_t kMaxFileBytes = 512 << 10;
  auto serve = std::make_unique<KeelServe>(WriteServeConfig(dir_ / "serve.yaml", SmallBatches("data")),
                                           dir_ / "serve.log", kMaxFileBytes);
  ExpectStoppedOnTheError(*serve, "File too large");
  ExpectWholeBatchesOnly("data");
  ExpectRestartAppliesTheRestOnce("data");
}

}  // namespace
}  // namespace keel::testing
