// A Channel: one kind of destination of a sink (webhook, slack, teams,
// email, http actions). It prepares an event for sending and sends it once;
// the SinkRunner calls it from several threads at a time (a sink's
// `concurrency`), so Prepare and Send must be safe for concurrent use.
#pragma once

#include <optional>
#include <string_view>

#include "connectors/sinks/delivery.h"
#include "engine/event.h"
#include "engine/status.h"

namespace keel::sinks {

class Channel {
 public:
  virtual ~Channel() = default;

  // The message for `event` (the runner already selected it by type and
  // condition). nullopt: nothing to send for this event (an action mapping
  // ignored it), which counts as delivered. An error is permanent: the event
  // goes to the sink's dead letters with the message (a template failed, a
  // recipient has no address).
  virtual Result<std::optional<OutboundMessage>> Prepare(const StoredEvent& event) const = 0;

  // One try. Never throws; transport failures are a TryResult, not a Status.
  virtual TryResult Send(const StoredEvent& event, const OutboundMessage& message) const = 0;
};

}  // namespace keel::sinks
