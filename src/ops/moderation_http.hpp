#pragma once
/// Moderation's HTTP side: the review list, flag and approve, one item's review state and the
/// audit log (routes), and the hook the core API asks before an item is published to LiveLoop
/// or made public and tells after a publish, share or delete (ServerDeps::moderation).
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "server/extension.hpp"

namespace beacon::jobs {
class EventBus;
}
namespace beacon::storage {
class ContentStore;
}

namespace beacon::ops {

class Moderation;

/// GET /api/v1/moderation, GET /api/v1/content/{id}/review, POST /api/v1/content/{id}/flag,
/// POST /api/v1/content/{id}/approve, GET /api/v1/audit.
std::vector<server::ExtensionRoute> ModerationRoutes(Moderation& m, storage::ContentStore& db,
                                                     jobs::EventBus& events);

/// The core API's moderation hook: with `done` false, a 409 reply when the item is flagged
/// ("flagged") or was never reviewed and the request lacks `"confirm": true` in its JSON body
/// or `?confirm=true` ("confirmation_required"); nullopt lets the handler go on (also for an
/// item that does not exist: the handler answers 404). With `done` true, writes the audit line
/// (and forgets a deleted item's review state); always nullopt.
using ModerationHook = std::function<std::optional<server::Reply>(
    const server::Request& req, std::string_view action, std::int64_t content_id, bool done)>;
ModerationHook MakeModerationHook(Moderation& m, storage::ContentStore& db);

}  // namespace beacon::ops
