#pragma once
/// The wiki module's HTTP routes (see api/openapi.yaml):
///   GET    /api/v1/wiki?entities=A,B&lang=en           facts for names
///   GET    /api/v1/content/{id}/entities               the item's entities, spans and facts
///   POST   /api/v1/content/{id}/entities               {"name", "type"?}: add one
///   DELETE /api/v1/content/{id}/entities/{name}        remove one
///   GET    /api/v1/content/{id}/facts                  one entry per mention span
///   GET    /wiki/{path+}                               the ZIM's own entries, HTML sanitised
#include <vector>

#include "server/extension.hpp"
#include "wiki/service.hpp"

namespace beacon::wiki {

/// Routes answered by `service` (which must outlive the server).
std::vector<server::ExtensionRoute> HttpRoutes(WikiService& service);

/// Headers of every sanitised article page: no script, no plugin, no form, images from this
/// server only.
inline constexpr const char* kArticleCsp =
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox allow-popups "
    "allow-popups-to-escape-sandbox";

}  // namespace beacon::wiki
