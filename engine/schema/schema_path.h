// JsonPath: where the explaining pass of the schema checker is in a document,
// rendered for error messages as "data.changes.title" or "data.labels[2]".
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace keel::schema {

class JsonPath {
 public:
  void PushKey(std::string_view key) {
    if (depth_ < kMaxDepth) segments_[depth_] = {key, 0, false};
    ++depth_;
  }
  void PushIndex(size_t index) {
    if (depth_ < kMaxDepth) segments_[depth_] = {{}, index, true};
    ++depth_;
  }
  void Pop() { --depth_; }
  bool empty() const { return depth_ == 0; }
  // Keys that are not plain words are quoted: data["a b"].
  std::string ToString() const;

 private:
  struct Segment {
    std::string_view key;
    size_t index = 0;
    bool is_index = false;
  };
  static constexpr size_t kMaxDepth = 48;  // deeper segments are counted, not shown
  std::array<Segment, kMaxDepth> segments_;
  size_t depth_ = 0;
};

// The path the fast pass keeps: none, at no cost.
struct NoPath {
  void PushKey(std::string_view) {}
  void PushIndex(size_t) {}
  void Pop() {}
};

}  // namespace keel::schema
