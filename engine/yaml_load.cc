#include "engine/yaml_load.h"

#include <map>
#include <sstream>
#include <string>

#include <yaml-cpp/eventhandler.h>

namespace keel {
namespace {

YamlPlace PlaceOf(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

// Follows the parser's events: what each anchored node expands to, the
// total so far, and the keys of each mapping still open. Stops counting at
// the first problem, which it keeps.
class ExpansionCounter final : public YAML::EventHandler {
 public:
  explicit ExpansionCounter(const YamlLimits& limits) : limits_(limits) {}

  bool refused() const { return !problem_.empty(); }
  const std::string& problem() const { return problem_; }
  YamlPlace place() const { return place_; }

  void OnDocumentStart(const YAML::Mark&) override {
    // Anchor numbers start again in each document.
    expanded_.clear();
    scalar_of_.clear();
    open_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor, nullptr); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    Leaf(mark, anchor, &value);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (refused()) return;
    auto size = expanded_.find(anchor);
    if (size == expanded_.end()) {
      Refuse(mark, "an alias inside the node its anchor names: the node would contain itself without end");
      return;
    }
    auto text = scalar_of_.find(anchor);
    if (!CheckKey(mark, text == scalar_of_.end() ? nullptr : &text->second)) return;
    total_ += size->second;
    if (!CountAliased(mark, size->second)) return;
    NodeDone();
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor, /*is_map=*/false);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor, /*is_map=*/true);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Collection {
    bool is_map = false;
    bool expect_key = true;  // maps: the next node is a key
    YAML::anchor_t anchor = YAML::NullAnchor;
    size_t total_at_start = 0;
    std::map<std::string, int, std::less<>> key_lines;
  };

  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string* text) {
    if (refused() || !CheckKey(mark, text)) return;
    ++total_;
    if (anchor != YAML::NullAnchor) {
      expanded_[anchor] = 1;
      if (text) scalar_of_[anchor] = *text;
    }
    NodeDone();
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    if (refused() || !CheckKey(mark, nullptr)) return;
    ++total_;
    Collection collection;
    collection.is_map = is_map;
    collection.anchor = anchor;
    collection.total_at_start = total_ - 1;
    open_.push_back(std::move(collection));
  }

  void Close() {
    if (refused() || open_.empty()) return;
    Collection closed = std::move(open_.back());
    open_.pop_back();
    if (closed.anchor != YAML::NullAnchor) expanded_[closed.anchor] = total_ - closed.total_at_start;
    NodeDone();
  }

  // A scalar key (text given) must not repeat in its mapping.
  bool CheckKey(const YAML::Mark& mark, const std::string* text) {
    if (open_.empty() || !open_.back().is_map || !open_.back().expect_key) return true;
    if (!text || !limits_.refuse_duplicate_keys) return true;
    auto [first, inserted] = open_.back().key_lines.emplace(*text, mark.line + 1);
    if (inserted) return true;
    Refuse(mark, "duplicate key '" + *text + "' (first at line " + std::to_string(first->second) + ")");
    return false;
  }

  // The nodes written out cost what reading the text costs; the bound is on
  // what aliases add to them.
  bool CountAliased(const YAML::Mark& mark, size_t nodes) {
    aliased_ += nodes;
    if (aliased_ <= limits_.max_expanded_nodes) return true;
    std::string bound = std::to_string(limits_.max_expanded_nodes);
    Refuse(mark, "more than " + bound + " YAML nodes added by aliases (each alias repeats the whole node its anchor "
                 "names); a file's aliases may add at most " + bound);
    return false;
  }

  void NodeDone() {
    if (!open_.empty() && open_.back().is_map) open_.back().expect_key = !open_.back().expect_key;
  }

  void Refuse(const YAML::Mark& mark, std::string problem) {
    problem_ = std::move(problem);
    place_ = PlaceOf(mark);
  }

  const YamlLimits& limits_;
  size_t total_ = 0;    // nodes so far, aliases expanded
  size_t aliased_ = 0;  // of which aliases added
  std::map<YAML::anchor_t, size_t> expanded_;        // anchors whose node is complete
  std::map<YAML::anchor_t, std::string> scalar_of_;  // anchors of scalars: their text
  std::vector<Collection> open_;
  std::string problem_;
  YamlPlace place_;
};

}  // namespace

Result<std::vector<YAML::Node>> LoadYaml(std::string_view text, const YamlLimits& limits, YamlPlace* where) {
  YamlPlace ignored;
  if (!where) where = &ignored;
  std::string owned(text);
  try {
    std::istringstream in(owned);
    YAML::Parser parser(in);
    ExpansionCounter counter(limits);
    while (!counter.refused() && parser.HandleNextDocument(counter)) {
    }
    if (counter.refused()) {
      *where = counter.place();
      return Status::InvalidArgument(counter.problem());
    }
    return YAML::LoadAll(owned);
  } catch (const YAML::Exception& e) {
    *where = PlaceOf(e.mark);
    return Status::InvalidArgument("invalid YAML: " + e.msg);
  }
}

Status YamlRefusal(std::string_view file, const Status& refused, const YamlPlace& where) {
  std::string place(file);
  if (where.line > 0) place += ":" + std::to_string(where.line) + ":" + std::to_string(where.col);
  return Status::InvalidArgument(place + ": " + refused.message());
}

}  // namespace keel
