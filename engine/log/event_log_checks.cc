// Opening safely: what a log must show, read-only, before a writer opens
// it read-write (RocksDB then deletes the files its MANIFEST does not name),
// and the durable head kept next to it at each sync.
#include <algorithm>
#include <fstream>

#include "engine/log/durable_head.h"
#include "engine/log/event_log_impl.h"
#include "engine/log_format.h"
#include "engine/log/log_rocksdb_options.h"
#include "engine/log/rocksdb_status.h"

namespace keel {
namespace {

namespace fs = std::filesystem;
using namespace log_format;

// How often, at most, a sync also rewrites the durable head file: it costs
// two fsyncs, and a slightly older head is still a true lower bound.
constexpr std::chrono::seconds kDurableHeadInterval{1};

std::string DamagedLog(const fs::path& dir, const std::string& what) {
  return "'" + dir.string() + "' is a damaged keel log: " + what;
}

// The MANIFEST that CURRENT names, for messages; empty when unreadable.
std::string CurrentManifest(const fs::path& dir) {
  std::ifstream in(dir / "CURRENT");
  std::string name;
  std::getline(in, name);
  return name;
}

bool HasTableFiles(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".sst") return true;
  }
  return false;
}

}  // namespace

Status EventLogImpl::ProbeBeforeWriting(const rocksdb::DBOptions& db_options) const {
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, dir_.string(), &names);
  if (!s.ok()) return DescribeOpenFailure(s);
  bool all_families = std::all_of(std::begin(kAllFamilies), std::end(kAllFamilies), [&](std::string_view family) {
    return std::find(names.begin(), names.end(), family) != names.end();
  });
  if (!all_families) return ProbeUnfinishedCreation(db_options, names);
  LogOptions probe_options = options_;
  probe_options.read_only = true;
  probe_options.create_if_missing = false;
  EventLogImpl probe(dir_, probe_options);
  probe.probing_for_writer_ = true;
  KEEL_RETURN_IF_ERROR(probe.OpenDatabase());
  if (probe.unfinished_creation_) return Status::OK();
  return probe.CheckFitForWriting();
}

// Some of keel's families are missing: a creation killed half-way (nothing
// in any family, no format record, no table file), or a MANIFEST that lost
// them, which a read-write open would "repair" by deleting the table files.
Status EventLogImpl::ProbeUnfinishedCreation(const rocksdb::DBOptions& db_options,
                                             const std::vector<std::string>& names) const {
  KEEL_RETURN_IF_ERROR(CheckOnlyKeelFamilies(db_options));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (auto& descriptor : LogFamilyDescriptors(options_, true)) {
    if (std::find(names.begin(), names.end(), descriptor.name) != names.end()) descriptors.push_back(descriptor);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(db_options, dir_.string(), descriptors, &handles, &raw);
  if (!s.ok()) return DescribeOpenFailure(s);
  std::unique_ptr<rocksdb::DB> db(raw);
  bool empty = true;
  for (auto* handle : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
    it->SeekToFirst();
    empty = empty && !it->Valid();
    (void)db->DestroyColumnFamilyHandle(handle);
  }
  if (empty && !HasTableFiles(dir_)) return Status::OK();
  std::string missing;
  for (std::string_view family : kAllFamilies) {
    if (std::find(names.begin(), names.end(), family) == names.end()) missing += (missing.empty() ? "" : ", ") + std::string(family);
  }
  return Status::Corruption(DamagedLog(dir_, CurrentManifest(dir_) + " names no column family " + missing +
                                                 ", yet the folder holds data; keel opened nothing for writing"));
}

Status EventLogImpl::DescribeOpenFailure(const rocksdb::Status& s) const {
  std::string manifest = CurrentManifest(dir_);
  std::string detail = s.ToString();
  if (s.IsIOError() && detail.find("Permission denied") != std::string::npos) {
    return Status::FailedPrecondition("permission denied: keel cannot open '" + dir_.string() + "': " + detail);
  }
  if (detail.find("While lock file") != std::string::npos) {
    return Status::FailedPrecondition("'" + dir_.string() + "' is in use by another keel process (" + detail + ")");
  }
  if (s.IsCorruption() || s.IsIOError() || s.IsNotFound()) {
    return Status::Corruption(DamagedLog(dir_, "RocksDB cannot open it (" + detail + "; CURRENT names " +
                                                   (manifest.empty() ? "nothing" : manifest) + ")"));
  }
  return FromRocksDB(s, "cannot open database '" + dir_.string() + "'");
}

// A log without its `format` record is a damaged keel log when it holds
// events; otherwise some other RocksDB database.
Status EventLogImpl::DescribeMissingFormat() {
  if (probing_for_writer_ && IsUnfinishedCreation() && !HasTableFiles(dir_)) {
    unfinished_creation_ = true;  // the writer finishes it
    return Status::OK();
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Family(kEvents)));
  it->SeekToFirst();
  if (it->Valid()) {
    return Status::Corruption(DamagedLog(dir_, "it holds events but its meta family has no format record (" +
                                                   CurrentManifest(dir_) + " or a table file may be damaged)"));
  }
  return Status::FailedPrecondition("'" + dir_.string() + "' is not a keel log (it has no format record)");
}

Status EventLogImpl::CheckFitForWriting() const {
  KEEL_RETURN_IF_ERROR(CheckHeadIsLastEvent());
  KEEL_ASSIGN_OR_RETURN(std::optional<LogHead> durable, ReadDurableHead(dir_));
  if (!durable) return Status::OK();
  if (auto problem = DurableHeadProblem(*this, *durable)) {
    return Status::Corruption(DamagedLog(dir_, *problem + "; keel will not append to it"));
  }
  return Status::OK();
}

Status EventLogImpl::CheckHeadIsLastEvent() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Family(kEvents)));
  it->SeekToLast();
  KEEL_RETURN_IF_ERROR(FromRocksDB(it->status(), "cannot read the last event"));
  uint64_t last_seq = 0;
  Hash last_hash{};
  if (it->Valid()) {
    if (it->key().size() != 8) return Status::Corruption(DamagedLog(dir_, "the last key of `events` is not a seq"));
    last_seq = ReadBigEndian64(std::string_view(it->key().data(), 8));
    // Only the record's hash is needed (engine/FORMAT.md, "Event record"):
    // an event whose text no longer parses is verify's to name.
    rocksdb::Slice record = it->value();
    if (record.size() < 1 + kHashSize || static_cast<uint8_t>(record[0]) != kEventRecordV1) {
      return Status::Corruption(DamagedLog(dir_, "the record of seq " + std::to_string(last_seq) +
                                                     " has an unknown version or is too short"));
    }
    std::copy(record.data() + 1, record.data() + 1 + kHashSize, last_hash.begin());
  }
  LogHead head = Head();
  if (head.seq == last_seq && head.hash == last_hash) return Status::OK();
  return Status::Corruption(DamagedLog(dir_, "its head record says seq " + std::to_string(head.seq) +
                                                 " but the last stored event is seq " + std::to_string(last_seq) +
                                                 (head.seq == last_seq ? " with another hash" : "") +
                                                 "; keel will not append to it"));
}

void EventLogImpl::RecordDurableHead(bool force) {
  auto now = std::chrono::steady_clock::now();
  LogHead head = Head();
  if (head.seq == last_durable_seq_) return;
  if (!force && now - last_durable_record_ < kDurableHeadInterval) return;
  // A failure leaves the file as it was: an older head, still a true lower bound.
  if (WriteDurableHead(dir_, head).ok()) {
    last_durable_record_ = now;
    last_durable_seq_ = head.seq;
  }
}

void EventLogImpl::CloseAfterWriteFailure() {
  for (auto& [name, handle] : families_) (void)db_->DestroyColumnFamilyHandle(handle);
  (void)db_->Close();
}

}  // namespace keel
