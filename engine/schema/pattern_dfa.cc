#include "engine/schema/pattern_dfa.h"

#include <algorithm>
#include <map>

namespace keel::schema {
namespace {

// Caps that keep a pathological pattern from costing much at load; such a
// pattern simply runs on RE2.
constexpr size_t kMaxNfaStates = 5000;
constexpr size_t kMaxDfaStates = 4096;
constexpr size_t kMaxBuildWork = 20'000'000;  // NFA states visited while building

struct NfaState {
  int symbols = -1;  // index into Nfa::sets; -1 for a state with only epsilon moves
  int next = -1;     // where a symbol in `symbols` leads
  std::vector<int> epsilon;
};

// A Thompson automaton, built back to front: each piece is built knowing the
// state it continues into, so no dangling edges need patching.
struct Nfa {
  std::vector<NfaState> states;
  std::vector<SymbolSet> sets;
  int accept = -1;
  int start = -1;

  int AddState(int symbols, int next) {
    states.push_back({symbols, next, {}});
    return static_cast<int>(states.size()) - 1;
  }

  int SetIndex(const SymbolSet& set) {
    auto found = std::find(sets.begin(), sets.end(), set);
    if (found != sets.end()) return static_cast<int>(found - sets.begin());
    sets.push_back(set);
    return static_cast<int>(sets.size()) - 1;
  }

  // Returns the entry state of `node` followed by `next`, or -1 when too large.
  int Build(const RegexNode& node, int next) {
    if (next < 0 || states.size() > kMaxNfaStates) return -1;
    switch (node.kind) {
      case RegexNode::Kind::kEmpty: return next;
      case RegexNode::Kind::kSymbols: return AddState(SetIndex(node.symbols), next);
      case RegexNode::Kind::kConcat: return BuildConcat(node, next);
      case RegexNode::Kind::kAlternation: return BuildAlternation(node, next);
      case RegexNode::Kind::kRepeat: return BuildRepeat(node, next);
    }
    return -1;
  }

  int BuildConcat(const RegexNode& node, int next) {
    for (auto child = node.children.rbegin(); child != node.children.rend(); ++child) {
      next = Build(*child, next);
    }
    return next;
  }

  int BuildAlternation(const RegexNode& node, int next) {
    int fork = AddState(-1, -1);
    for (const RegexNode& child : node.children) {
      int entry = Build(child, next);
      if (entry < 0) return -1;
      states[fork].epsilon.push_back(entry);
    }
    return fork;
  }

  // x{min,max} as min copies of x followed by x* (unbounded) or by
  // max-min nested optional copies.
  int BuildRepeat(const RegexNode& node, int next) {
    const RegexNode& body = node.children.front();
    int entry = next;
    if (node.max == RegexNode::kUnbounded) {
      int loop = AddState(-1, -1);
      int body_entry = Build(body, loop);
      if (body_entry < 0) return -1;
      states[loop].epsilon = {body_entry, next};
      entry = loop;
    } else {
      for (int i = node.min; i < node.max && entry >= 0; ++i) {
        int optional = AddState(-1, -1);
        int body_entry = Build(body, entry);
        if (body_entry < 0) return -1;
        states[optional].epsilon = {body_entry, next};
        entry = optional;
      }
    }
    for (int i = 0; i < node.min && entry >= 0; ++i) entry = Build(body, entry);
    return entry;
  }
};

using StateSet = std::vector<int>;  // sorted NFA states

}  // namespace

// Subset construction over classes of equivalent symbols.
class DfaBuilder {
 public:
  DfaBuilder(const Nfa& nfa, bool anchored_start) : nfa_(nfa), anchored_start_(anchored_start) {}

  std::optional<PatternDfa> Build(bool anchored_end) {
    ComputeSymbolClasses();
    start_closure_ = Closure({nfa_.start});
    if (Intern(start_closure_) == PatternDfa::kNoState) return std::nullopt;
    for (size_t done = 0; done < sets_.size(); ++done) {
      for (int symbol_class = 0; symbol_class < dfa_.class_count_; ++symbol_class) {
        uint16_t target = Intern(Move(sets_[done], class_symbol_[symbol_class]));
        if (overflow_) return std::nullopt;
        dfa_.next_.push_back(target);
      }
    }
    dfa_.anchored_end_ = anchored_end;
    dfa_.matches_everything_ = !anchored_end && dfa_.accepting_[0];
    dfa_.Finish();
    return std::move(dfa_);
  }

 private:
  // Symbols that every symbol set of the automaton treats alike share a class.
  void ComputeSymbolClasses() {
    std::map<std::vector<bool>, int> class_of_signature;
    for (int symbol = 0; symbol < kSymbolCount; ++symbol) {
      std::vector<bool> signature;
      for (const SymbolSet& set : nfa_.sets) signature.push_back(set.test(symbol));
      auto [it, added] = class_of_signature.emplace(signature, dfa_.class_count_);
      if (added) {
        class_symbol_.push_back(symbol);
        ++dfa_.class_count_;
      }
      dfa_.symbol_class_[symbol] = static_cast<uint8_t>(it->second);
    }
  }

  StateSet Closure(StateSet seeds) const {
    std::vector<bool> seen(nfa_.states.size());
    StateSet result;
    while (!seeds.empty()) {
      int state = seeds.back();
      seeds.pop_back();
      if (seen[state]) continue;
      seen[state] = true;
      result.push_back(state);
      for (int target : nfa_.states[state].epsilon) seeds.push_back(target);
    }
    std::sort(result.begin(), result.end());
    return result;
  }

  StateSet Move(const StateSet& from, int symbol) {
    StateSet targets;
    for (int state : from) {
      const NfaState& nfa_state = nfa_.states[state];
      if (nfa_state.symbols >= 0 && nfa_.sets[nfa_state.symbols].test(symbol)) {
        targets.push_back(nfa_state.next);
      }
    }
    StateSet result = Closure(std::move(targets));
    work_ += result.size() + from.size();
    if (work_ > kMaxBuildWork) overflow_ = true;
    if (!anchored_start_) {  // a match may begin at any position
      StateSet merged;
      std::set_union(result.begin(), result.end(), start_closure_.begin(), start_closure_.end(),
                     std::back_inserter(merged));
      result = std::move(merged);
    }
    return result;
  }

  uint16_t Intern(const StateSet& set) {
    if (set.empty()) return PatternDfa::kNoState;
    auto found = ids_.find(set);
    if (found != ids_.end()) return found->second;
    if (sets_.size() >= kMaxDfaStates) {
      overflow_ = true;
      return PatternDfa::kNoState;
    }
    uint16_t id = static_cast<uint16_t>(sets_.size());
    ids_.emplace(set, id);
    sets_.push_back(set);
    dfa_.accepting_.push_back(std::binary_search(set.begin(), set.end(), nfa_.accept));
    return id;
  }

  const Nfa& nfa_;
  bool anchored_start_;
  bool overflow_ = false;  // too big or too slow to build: leave the pattern to RE2
  size_t work_ = 0;
  StateSet start_closure_;
  std::vector<int> class_symbol_;  // a representative symbol per class
  std::map<StateSet, uint16_t> ids_;
  std::vector<StateSet> sets_;
  PatternDfa dfa_;
};

namespace {

// The symbols of a pattern that is one character class, unanchored; else nullptr.
const SymbolSet* LoneClass(const ParsedRegex& parsed) {
  if (parsed.anchored_start || parsed.anchored_end) return nullptr;
  const RegexNode* node = &parsed.root;
  if (node->kind == RegexNode::Kind::kConcat && node->children.size() == 1) node = &node->children[0];
  return node->kind == RegexNode::Kind::kSymbols ? &node->symbols : nullptr;
}

}  // namespace

std::optional<PatternDfa> PatternDfa::Build(std::string_view pattern) {
  std::optional<ParsedRegex> parsed = ParseSimpleRegex(pattern);
  if (!parsed) return std::nullopt;
  if (const SymbolSet* symbols = LoneClass(*parsed)) {
    PatternDfa scan;
    scan.is_byte_scan_ = true;
    for (int byte = 0; byte < 256; ++byte) {
      // A non-ASCII code point is found at its lead byte (0xC0 and up).
      scan.scan_bytes_[byte] = byte < 0x80 ? symbols->test(byte) : byte >= 0xC0 && symbols->test(kNonAsciiSymbol);
    }
    return scan;
  }
  Nfa nfa;
  nfa.accept = nfa.AddState(-1, -1);
  nfa.start = nfa.Build(parsed->root, nfa.accept);
  if (nfa.start < 0) return std::nullopt;
  return DfaBuilder(nfa, parsed->anchored_start).Build(parsed->anchored_end);
}

void PatternDfa::Finish() {
  int continuation_class = class_count_;
  int columns = class_count_ + 1;
  while ((1 << row_shift_) < columns) ++row_shift_;
  uint16_t dead = static_cast<uint16_t>(accepting_.size());
  bool needs_dead = std::find(next_.begin(), next_.end(), kNoState) != next_.end();
  size_t state_count = accepting_.size() + (needs_dead ? 1 : 0);
  rows_.assign(state_count << row_shift_, uint32_t{dead} << row_shift_);
  for (size_t state = 0; state < state_count; ++state) {
    uint32_t* row = &rows_[state << row_shift_];
    for (int symbol_class = 0; symbol_class < class_count_ && state < accepting_.size(); ++symbol_class) {
      uint16_t target = next_[state * class_count_ + symbol_class];
      row[symbol_class] = uint32_t{target == kNoState ? dead : target} << row_shift_;
    }
    row[continuation_class] = static_cast<uint32_t>(state << row_shift_);
  }
  if (needs_dead) accepting_.push_back(0);
  for (int byte = 0; byte < 256; ++byte) {
    byte_class_[byte] = byte < 0x80    ? symbol_class_[byte]
                        : byte < 0xC0  ? static_cast<uint8_t>(continuation_class)
                                       : symbol_class_[kNonAsciiSymbol];
  }
  next_.clear();
}

bool PatternDfa::Search(std::string_view text) const {
  if (matches_everything_) return true;
  const auto* byte = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = byte + text.size();
  if (is_byte_scan_) {
    for (; byte != end; ++byte) {
      if (scan_bytes_[*byte]) return true;
    }
    return false;
  }
  // Locals, so that the loop keeps them in registers. `row` is the current
  // state's row offset (state << row_shift_).
  const uint32_t* rows = rows_.data();
  const uint8_t* byte_class = byte_class_.data();
  const uint8_t* accepting = accepting_.data();
  const int shift = row_shift_;
  uint32_t row = 0;
  if (anchored_end_) {
    for (; byte != end; ++byte) row = rows[row | byte_class[*byte]];
    return accepting[row >> shift];
  }
  for (; byte != end; ++byte) {
    row = rows[row | byte_class[*byte]];
    if (accepting[row >> shift]) return true;
  }
  return false;
}

}  // namespace keel::schema
