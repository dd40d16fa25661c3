// Direct access to a keel log's RocksDB, bypassing the EventLog API: how the
// tests play an attacker or a disk that flips bytes.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>

namespace keel::testing {

class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &names);
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    status_ = rocksdb::DB::Open(rocksdb::DBOptions(), dir.string(), descriptors, &handles_, &db);
    db_.reset(db);
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  }

  bool ok() const { return status_.ok(); }

  rocksdb::ColumnFamilyHandle* Family(const std::string& name) {
    for (auto* h : handles_) {
      if (h->GetName() == name) return h;
    }
    return nullptr;
  }

  std::string Get(const std::string& family, const std::string& key) {
    std::string value;
    db_->Get(rocksdb::ReadOptions(), Family(family), key, &value);
    return value;
  }
  void Put(const std::string& family, const std::string& key, const std::string& value) {
    db_->Put(rocksdb::WriteOptions(), Family(family), key, value);
  }
  void Delete(const std::string& family, const std::string& key) {
    db_->Delete(rocksdb::WriteOptions(), Family(family), key);
  }

 private:
  rocksdb::Status status_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace keel::testing
