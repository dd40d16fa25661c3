#include "server/sink_follower.h"

namespace keel::server {
namespace {

class RunnerFollower : public AppendFollower {
 public:
  explicit RunnerFollower(sinks::SinkRunner* runner) : runner_(runner) {}
  void NotifyAppended(uint64_t head) override { runner_->NotifyAppended(head); }
  std::optional<MetaPut> TakeCursorUpdate() override { return runner_->TakeCursorUpdate(); }

 private:
  sinks::SinkRunner* runner_;
};

}  // namespace

std::shared_ptr<AppendFollower> SinkFollower(sinks::SinkRunner* runner) {
  return std::make_shared<RunnerFollower>(runner);
}

}  // namespace keel::server
