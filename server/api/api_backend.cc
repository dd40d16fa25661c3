// ApiBackend's polling wait for new events.
#include "server/api/api_backend.h"

#include <thread>

namespace keel::api {

uint64_t ApiBackend::WaitForAppend(std::string_view workspace, uint64_t after_seq,
                                   std::chrono::milliseconds timeout) const {
  // A tenth of a second between looks keeps a live page live without
  // spinning; a backend that hears of appends overrides this.
  constexpr std::chrono::milliseconds kPoll{100};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::shared_ptr<const EventLog> log = LogOf(workspace);
    uint64_t head = log == nullptr ? 0 : log->Head().seq;
    log.reset();
    auto now = std::chrono::steady_clock::now();
    if (head > after_seq || now >= deadline) return head;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kPoll, deadline - now));
  }
}

}  // namespace keel::api
