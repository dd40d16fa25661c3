#include "engine/audit/verify_projections.h"

#include <algorithm>
#include <functional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "engine/bounded_queue.h"
#include "engine/log_format.h"
#include "engine/state/reducers.h"

namespace keel {
namespace {

using namespace log_format;

// Events per hand-over, and hand-overs queued: a lock per 256 events costs
// nothing measurable, and 8 batches ride out the checker's slower records.
constexpr size_t kEventsPerBatch = 256;
constexpr size_t kBatchesInFlight = 8;
// How many events ahead of its fold a state is fetched into the cache.
constexpr size_t kFetchAhead = 4;

struct FoldItem {
  uint64_t seq;
  size_t problem_slot;  // where its problem goes among report->problems
  Event event;
};
using FoldBatch = std::vector<FoldItem>;

// Hashes a std::string and a std::string_view alike, so that a lookup by a
// view needs no std::string of its own.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

}  // namespace

struct FoldProblem {
  size_t slot;
  uint64_t seq;
  std::string text;
};

// Folds batches of events into entity states on a thread of its own.
//
// Folded batches come back to the calling thread, which decodes the next
// events into them: the fold thread freeing the events, allocated by the
// other, made both wait on glibc's arena lock (futex calls, 5% of the
// samples), and reusing the events' buffers saves most allocations besides.
class EntityFold {
 public:
  using States = std::unordered_map<std::string, EntityState, KeyHash, std::equal_to<>>;

  EntityFold() : to_fold_(kBatchesInFlight), folded_(kBatchesInFlight + 2), thread_([this] { Run(); }) {}
  ~EntityFold() { Join(); }

  // The slot the next event is decoded into. Decoding in place, rather
  // than moving a decoded event into the batch, spares the swap of its
  // fourteen strings: 7.7% of verify's samples (perf, 1M-event log).
  Event* NextSlot() {
    if (pending_.empty()) pending_.reserve(kEventsPerBatch);
    if (filled_ == pending_.size()) pending_.emplace_back();
    return &pending_[filled_].event;
  }
  // Hands the event in the slot NextSlot gave over to the fold.
  void Add(uint64_t seq, size_t problem_slot) {
    FoldItem& item = pending_[filled_++];
    item.seq = seq;
    item.problem_slot = problem_slot;
    if (filled_ < kEventsPerBatch) return;
    to_fold_.Push(std::exchange(pending_, FoldBatch()));
    filled_ = 0;
    folded_.TryPop(&pending_);
  }
  // Folds what is left and waits for the thread; states() and problems()
  // are then safe to read.
  void Join() {
    if (!thread_.joinable()) return;
    if (filled_ > 0) {
      pending_.resize(filled_);
      to_fold_.Push(std::exchange(pending_, FoldBatch()));
    }
    to_fold_.Close();
    thread_.join();
  }
  const States& states() const { return states_; }
  std::vector<FoldProblem>& problems() { return problems_; }

 private:
  void Run() {
    FoldBatch batch;
    std::string key;
    std::vector<EntityState*> states;
    while (to_fold_.Pop(&batch)) {
      // The states are spread over the heap and mostly out of cache: finding
      // a whole batch's first lets those lookups' misses overlap (none waits
      // for the one before), and each state is fetched a few events before
      // it is folded.
      states.clear();
      for (const FoldItem& item : batch) states.push_back(&StateOf(item.event, &key));
      for (size_t i = 0; i < batch.size(); ++i) {
        if (i + kFetchAhead < batch.size()) states[i + kFetchAhead]->Prefetch();
        Fold(batch[i], states[i]);
      }
      // Full (never, with this capacity): the batch is freed here instead.
      folded_.TryPush(batch);
      batch = FoldBatch();
    }
  }

  // Pointers to the map's values stay valid as it grows.
  EntityState& StateOf(const Event& event, std::string* key) {
    AssignEntityKey(event.workspace, event.entity.kind, event.entity.id, key);
    auto found = states_.find(std::string_view(*key));
    if (found == states_.end()) found = states_.emplace(*key, EntityState()).first;
    return found->second;
  }

  void Fold(const FoldItem& item, EntityState* state) {
    Status applied = ApplyEvent(item.event, state);
    if (!applied.ok()) problems_.push_back({item.problem_slot, item.seq, "does not apply to its entity: " + applied.message()});
  }

  // On the calling thread: the batch being filled, its first `filled_` items
  // new, the rest folded events to reuse.
  FoldBatch pending_;
  size_t filled_ = 0;
  BoundedQueue<FoldBatch> to_fold_, folded_;
  // Touched only by the fold thread until Join returns.
  States states_;
  std::vector<FoldProblem> problems_;
  std::thread thread_;  // last: starts once the members above exist
};

ProjectionVerifier::ProjectionVerifier(const EventLog& log, VerifyReport* report)
    : log_(log), report_(report), fold_(std::make_unique<EntityFold>()) {}

ProjectionVerifier::~ProjectionVerifier() = default;

Event* ProjectionVerifier::NextEvent() { return fold_->NextSlot(); }

void ProjectionVerifier::OnEvent(uint64_t seq, size_t problem_slot) { fold_->Add(seq, problem_slot); }

Status ProjectionVerifier::Finish() {
  fold_->Join();
  PlaceFoldProblems(std::move(fold_->problems()));
  return CompareWithStored(*fold_);
}

// Each fold problem goes before the problem that stood at its slot when its
// event was handed over: the order of a fold on the checking thread. Slots
// only grow, as do the seqs, so the first fold problem is the fold's first
// bad seq.
void ProjectionVerifier::PlaceFoldProblems(std::vector<FoldProblem> found) {
  if (found.empty()) return;
  if (!report_->first_bad_seq || found.front().seq < *report_->first_bad_seq) {
    report_->first_bad_seq = found.front().seq;
  }
  std::vector<std::string> merged;
  merged.reserve(report_->problems.size() + found.size());
  size_t next = 0;
  for (size_t i = 0; i <= report_->problems.size(); ++i) {
    for (; next < found.size() && found[next].slot == i; ++next) {
      merged.push_back("seq " + std::to_string(found[next].seq) + ": " + found[next].text);
    }
    if (i < report_->problems.size()) merged.push_back(std::move(report_->problems[i]));
  }
  report_->problems = std::move(merged);
}

Status ProjectionVerifier::CompareWithStored(const EntityFold& fold) {
  // A hash map folds faster; the comparison with the stored states, a
  // merge in key order, needs them sorted once at the end.
  using Rebuilt = EntityFold::States::value_type;
  std::vector<const Rebuilt*> sorted;
  sorted.reserve(fold.states().size());
  for (const Rebuilt& entry : fold.states()) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](const Rebuilt* a, const Rebuilt* b) { return a->first < b->first; });
  auto problem = [&](std::string text) { report_->problems.push_back(std::move(text)); };
  size_t next = 0;
  auto missing = [&](const Rebuilt* rebuilt) {
    problem("entities: " + PrintableKey(rebuilt->first) + " is missing; a rebuild has it");
  };
  KEEL_RETURN_IF_ERROR(log_.ScanColumnFamily(kEntities, [&](std::string_view key, std::string_view value) {
    for (; next < sorted.size() && sorted[next]->first < key; ++next) missing(sorted[next]);
    if (next == sorted.size() || sorted[next]->first != key) {
      problem("entities: " + PrintableKey(key) + " exists but no event made it");
      return true;
    }
    std::string expected = sorted[next++]->second.ToCanonical();
    if (value.empty() || value.substr(1) != expected) {
      problem("entities: " + PrintableKey(key) + " differs from a rebuild: stored " +
              std::string(value.empty() ? "" : value.substr(1)) + ", rebuilt " + expected);
    }
    return true;
  }));
  for (; next < sorted.size(); ++next) missing(sorted[next]);
  return Status::OK();
}

}  // namespace keel
