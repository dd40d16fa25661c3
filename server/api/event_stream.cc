#include "server/api/event_stream.h"

#include <charconv>
#include <memory>

namespace keel::api {
namespace {

// The longest one wait for new events lasts, so a stop is seen soon.
constexpr std::chrono::milliseconds kWaitSlice{500};

// Holds one of the open-stream slots while the answer lives.
class StreamSlot {
 public:
  explicit StreamSlot(std::atomic<size_t>* open) : open_(open) {}
  ~StreamSlot() { open_->fetch_sub(1); }
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

 private:
  std::atomic<size_t>* open_;
};

std::optional<uint64_t> ParseSeq(const std::string& text) {
  uint64_t seq = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return seq;
}

bool GuestSees(const EventLog& log, const Event& event) {
  auto state = log.GetEntity(event.workspace, event.entity);
  return state.ok() && state->has_value() && VisibleToGuest(**state);
}

}  // namespace

std::string StreamEventText(const StoredEvent& stored) {
  const Event& e = stored.event;
  nlohmann::json data = {{"seq", stored.seq}, {"id", e.id},     {"type", e.type},
                         {"subject", e.subject}, {"time", e.time}, {"actor", e.actor}};
  // Ids, types and the rest are one line each in the JSON: no newline can
  // end the data line early.
  return "id: " + std::to_string(stored.seq) + "\nevent: " + e.type + "\ndata: " +
         data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

http::HttpResponse StreamAnswer(ApiCall& call) {
  std::atomic<size_t>* open = call.open_streams;
  if (open->fetch_add(1) >= call.settings.max_streams) {
    open->fetch_sub(1);
    return ErrorAnswer(503, "unavailable", "too many open streams; try again later");
  }
  auto slot = std::make_shared<StreamSlot>(open);
  const std::string& last_event_id = call.request.Header("last-event-id");
  std::optional<uint64_t> resume = ParseSeq(last_event_id);
  if (!last_event_id.empty() && !resume) {
    return ErrorAnswer(400, "bad_request", "Last-Event-ID must be the seq of an event, not '" + last_event_id + "'");
  }
  uint64_t after = resume ? *resume : call.log->Head().seq;
  http::HttpResponse response;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("X-Accel-Buffering", "no");
  ApiBackend* backend = &call.backend;
  std::string workspace = call.workspace;
  bool guest = call.caller.guest();
  std::chrono::milliseconds keep_alive = call.settings.keep_alive;
  response.stream = [slot, backend, workspace, guest, keep_alive, after](http::StreamWriter& out) mutable {
    if (!out.Write(": events of workspace " + workspace + " after seq " + std::to_string(after) + "\nretry: 3000\n\n")) {
      return;
    }
    auto quiet_since = std::chrono::steady_clock::now();
    while (!out.stopping()) {
      auto wait = std::min(kWaitSlice, keep_alive);
      uint64_t head = backend->WaitForAppend(workspace, after, wait);
      std::shared_ptr<const EventLog> log = backend->LogOf(workspace);  // held for this round only
      if (log == nullptr) return;  // this serve no longer holds it (a rebalance)
      if (head > after) {
        std::string text;
        Status scanned = log->Scan(after + 1, head, [&](const StoredEvent& stored) {
          if (stored.event.workspace == workspace && (!guest || GuestSees(*log, stored.event))) {
            text += StreamEventText(stored);
          }
          return true;
        });
        if (!scanned.ok()) return;
        after = head;
        if (!text.empty()) {
          if (!out.Write(text)) return;
          quiet_since = std::chrono::steady_clock::now();
        }
      }
      if (std::chrono::steady_clock::now() - quiet_since >= keep_alive) {
        if (!out.Write(": keep-alive\n\n")) return;
        quiet_since = std::chrono::steady_clock::now();
      }
    }
  };
  return response;
}

}  // namespace keel::api
