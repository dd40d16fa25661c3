// GET /api/v1/workspaces/{ws}/stream: the workspace's new events as
// Server-Sent Events, for live pages. Each event is `id: SEQ`, `event: TYPE`,
// `data: {"seq","id","type","subject","time","actor"}`; a reconnecting
// client's Last-Event-ID resumes after that seq (without one the stream
// starts at the log's head). A comment line goes out when nothing else did
// for ApiSettings::keep_alive. Guests get only events about entities visible
// to guests. At most ApiSettings::max_streams are open at once (503 past
// it); each ends when the client goes or the server stops.
#pragma once

#include "connectors/http/http_server.h"
#include "server/api/api_router.h"

namespace keel::api {

http::HttpResponse StreamAnswer(ApiCall& call);

// The text of one event on the stream (ends with a blank line).
std::string StreamEventText(const StoredEvent& stored);

}  // namespace keel::api
