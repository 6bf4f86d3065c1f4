#pragma once
/// The ops module's HTTP routes: GET /metrics (Prometheus text; a signed-in user or the
/// [metrics] token as a bearer) and GET /api/v1/ops/summary (the dashboard's JSON).
#include <vector>

#include "server/extension.hpp"

namespace beacon::ops {

class OpsService;

std::vector<server::ExtensionRoute> HttpRoutes(OpsService& ops);

}  // namespace beacon::ops
