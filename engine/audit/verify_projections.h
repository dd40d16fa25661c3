// The projection part of `VerifyLog` (engine/audit/verify.h), private to it: the
// `entities` family must hold exactly the states a fold of the log's
// entity-changing events gives, and every such event must apply to its entity.
//
// The fold runs on a thread of its own, fed batches of decoded events: it
// was half of the checking thread's time (`perf` on a 322k-event log: the
// state map and the reducers 29% of all samples, the rest of the per-record
// checks 31%), so on two cores it overlaps the hashing and decoding: the
// checking thread's samples went from 1280 to 720, and `keel bench audit
// --events 300000` from 211k to 240k verify events/s (medians of 6, a build
// running beside it). Its problems are put back where the single-threaded
// check had them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/log/event_log.h"
#include "engine/audit/report.h"

namespace keel {

class EntityFold;
struct FoldProblem;

// Not thread safe: one thread calls OnEvent and Finish.
class ProjectionVerifier {
 public:
  // Problems go into `*report`, each naming its seq or key; a problem of the
  // fold also sets report->first_bad_seq when it comes first.
  ProjectionVerifier(const EventLog& log, VerifyReport* report);
  ~ProjectionVerifier();
  ProjectionVerifier(const ProjectionVerifier&) = delete;
  ProjectionVerifier& operator=(const ProjectionVerifier&) = delete;

  // The event to decode the next record into (ReadEventInto): a slot of the
  // batch the fold gets next, with buffers an earlier event left to reuse.
  // Valid until the next call of NextEvent or OnEvent.
  Event* NextEvent();
  // Hands the event of the last NextEvent to the fold; called, in log order,
  // for every event that changes entity state. An event not handed over is
  // simply decoded over by the next record. Its problem, if any, will stand
  // at index `problem_slot` of report->problems as they are now: before
  // those added since.
  void OnEvent(uint64_t seq, size_t problem_slot);
  // Called after the last event: waits for the fold, puts its problems in
  // place, then compares the rebuilt states with `entities`. Returns an error
  // only when the log cannot be read.
  Status Finish();

 private:
  void PlaceFoldProblems(std::vector<FoldProblem> found);
  Status CompareWithStored(const EntityFold& fold);

  const EventLog& log_;
  VerifyReport* report_;
  std::unique_ptr<EntityFold> fold_;
};

}  // namespace keel
