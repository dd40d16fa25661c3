#include "server/submit_decoder.h"

#include <optional>

namespace keel::server {

bool SubmitDecoder::DecodeAll(const std::vector<std::string>& events, std::string_view verb,
                              std::vector<Event>* decoded, std::vector<AppendResult>* results) {
  std::unique_ptr<EventDecoder> decoder;
  {
    MutexLock lock(&mu_);
    if (!idle_.empty()) {
      decoder = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!decoder) decoder = std::make_unique<EventDecoder>(schemas_, options_);
  decoded->resize(events.size());
  std::optional<size_t> first_refused;
  for (size_t i = 0; i < events.size(); ++i) {
    Status status = decoder->DecodeInputInto(events[i], &(*decoded)[i]);
    if (status.ok()) continue;
    if (!first_refused) {
      // Refused whole: the others are answered with the reason they were not taken.
      *results = std::vector<AppendResult>(
          events.size(),
          AppendResult{AppendOutcome::kRejected, 0,
                       Status::InvalidArgument("not " + std::string(verb) + ": event " + std::to_string(i + 1) +
                                               " of " + std::to_string(events.size()) +
                                               " in the same submit was refused")});
      first_refused = i;
    }
    (*results)[i].error = std::move(status);
  }
  {
    MutexLock lock(&mu_);
    idle_.push_back(std::move(decoder));
  }
  return !first_refused.has_value();
}

}  // namespace keel::server
