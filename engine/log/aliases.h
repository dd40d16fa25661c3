// Entity aliases: the names a tool gives an item that is linked to a keel
// entity (a `*.linked` event with relation external: its target, jira:ACME-123,
// and TOOL:remote_id, jira:10001), so that an input event about that item
// (subject task/jira:10001, what an inbound webhook mapping makes of it when
// the payload carries no marker) lands on the keel entity (task/T-7).
//
// Pure functions of events; the append path keeps the index (meta keys
// `alias/`, engine/FORMAT.md "Aliases") and `keel verify` rebuilds it with
// the same functions, so that resolution is a function of the log prefix.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/status.h"

namespace keel {

// The names `event` makes aliases of its entity: for a `*.linked` event with
// relation external, its target and, when it has a remote_id, the target's
// tool + ":" + remote_id; none for any other event. A name equal to the
// event's own entity id is left out (an item linked to itself).
std::vector<std::string> AliasNamesOf(const Event& event);

// The `resolvedfrom` attribute of an event as stored (the subject it was
// submitted with, when the log resolved it), or "" when it has none.
std::string ResolvedFrom(const Event& event);

// Whether an entity id has the shape of a tool's name for an item
// (TOOL:KEY, the externalRef of schemas/entity.schema.json): only those are
// looked up, so keel's own ids cost nothing.
bool MayBeAlias(std::string_view entity_id);

// The event as it was submitted: itself when it carries no `resolvedfrom`;
// otherwise its subject put back and the attribute removed. InvalidArgument
// when `resolvedfrom` is not an entity of the same kind as the subject.
Result<Event> SubmittedForm(const Event& event);

// `submitted` (an event without `resolvedfrom`) about `subject` instead, with
// `resolvedfrom` keeping the subject it was submitted with. REQUIRES:
// `subject` is KIND/ID of the submitted subject's kind.
Result<Event> ResolvedTo(const Event& submitted, std::string_view subject);

// Whether `stored` (as the log holds it) is the same submission as
// `submitted` (an event without `resolvedfrom`): the same canonical bytes
// once the stored one is put back in its submitted form.
bool SameSubmission(const Event& submitted, const Event& stored);

}  // namespace keel
