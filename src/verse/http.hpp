#pragma once
/// Verse's HTTP routes (/api/v1/worlds..., /api/v1/shared/{token}...), handed to the server as
/// extension routes by `beacon serve`.
#include <string>
#include <vector>

#include "server/extension.hpp"
#include "verse/service.hpp"

namespace beacon::verse {

/// `public_url` (may be empty: the request's Host is used) makes share links absolute.
std::vector<server::ExtensionRoute> HttpRoutes(VerseService& service,
                                               const std::string& public_url);

}  // namespace beacon::verse
