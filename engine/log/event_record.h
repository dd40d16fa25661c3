// Reading an Event back out of its canonical bytes.
#pragma once

#include <string>
#include <string_view>

#include "engine/event.h"
#include "engine/status.h"

namespace keel {

// Fills the envelope members of `*event` from event->canonical.
Status FillEventFromCanonical(Event* event);

// Rebuilds an Event from canonical bytes read from the log. The bytes are
// trusted (they were validated when appended); only their shape is checked.
Result<Event> EventFromCanonical(std::string canonical);

// The same, into `*event`, whose previous contents go but whose buffers are
// reused: a reader of many events then allocates next to nothing per event.
Status ReadEventInto(std::string_view canonical, Event* event);

}  // namespace keel
