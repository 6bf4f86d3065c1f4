#pragma once
/// The HTTP routes of remote workers (x-module: remote in api/openapi.yaml):
///  - for the admin (signed in): GET /api/v1/workers, POST /api/v1/workers/tokens,
///    DELETE /api/v1/workers/tokens/{id};
///  - for workers (their own credentials in the X-Beacon-Token header, no user session):
///    /api/v1/remote/register (registration token), /claim and /signoff (worker secret) and
///    /api/v1/remote/jobs/{id}/... (the job token of that job only).
#include <vector>

#include "remote/service.hpp"
#include "server/extension.hpp"

namespace beacon::remote {

/// The header that carries a registration token, a worker secret or a job token.
inline constexpr const char* kTokenHeader = "X-Beacon-Token";

std::vector<server::ExtensionRoute> HttpRoutes(RemoteService& service);

/// The admin's view of the workers and registration tokens (GET /api/v1/workers).
core::Json WorkersJson(RemoteService& service);

}  // namespace beacon::remote
