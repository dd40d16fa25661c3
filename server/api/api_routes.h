// Every route of the API (schemas/openapi.json describes them), registered
// on a router. One line a route: see api_routes.cc.
#pragma once

#include "server/api/api_router.h"

namespace keel::api {

void AddApiRoutes(ApiRouter& router);

}  // namespace keel::api
