// keel bench ingest's layout floor claims to write exactly what a keel log
// holds. These tests hold it to that: after a small run with --keep, every
// family the floor writes has, key for key and byte for byte, what keel's own
// log has. Without that the floor would be a number about some other layout.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <rocksdb/db.h>

#include "tests/cli/run_keel_support.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

using Family = std::map<std::string, std::string>;

// Every family of the RocksDB database in `dir`, read-only.
std::map<std::string, Family> ReadFamilies(const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok()) << dir;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::map<std::string, Family> families;
  if (!s.ok()) return families;
  std::unique_ptr<rocksdb::DB> db(raw);
  for (auto* handle : handles) {
    Family& family = families[handle->GetName()];
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
    for (it->SeekToFirst(); it->Valid(); it->Next()) family[it->key().ToString()] = it->value().ToString();
    db->DestroyColumnFamilyHandle(handle);
  }
  return families;
}

TEST(BenchIngestFloorTest, FloorHoldsWhatTheLogHolds) {
  TempDir dir;
  // 2,500 events in groups of 300: the last batch is a partial one, and the
  // 2,500 events touch entities more than once per batch.
  KeelRun run = RunKeel({"bench", "ingest", "--events", "2500", "--group", "300", "--dir", dir.path().string(),
                         "--keep", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json figures = nlohmann::json::parse(run.out);
  EXPECT_GT(figures["layout_floor_events_per_s"].get<double>(), 0);
  EXPECT_GT(figures["layout_floor_bytes_per_event"].get<double>(), figures["event_bytes_avg"].get<double>());

  auto keel = ReadFamilies((dir / "keel").string());
  auto floor = ReadFamilies((dir / "floor").string());
  // The families and the meta key engine/FORMAT.md names.
  for (std::string_view name : {"events", "by_stream", "by_id", "entities"}) {
    const Family& expected = keel[std::string(name)];
    const Family& found = floor[std::string(name)];
    EXPECT_EQ(found.size(), expected.size()) << name;
    EXPECT_TRUE(found == expected) << name << " differs";
  }
  EXPECT_EQ(keel["events"].size(), 2500u);
  EXPECT_EQ(floor["meta"]["head"], keel["meta"]["head"]);
}

}  // namespace
}  // namespace keel::testing
