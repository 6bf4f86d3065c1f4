#include "ops/http.hpp"

#include <openssl/crypto.h>

#include "ops/service.hpp"
#include "server/api.hpp"

namespace beacon::ops {

namespace {

bool TokenMatches(const std::string& header, const std::string& token) {
    static constexpr std::string_view kBearer = "Bearer ";
    if (token.empty() || !header.starts_with(kBearer)) return false;
    std::string_view given = std::string_view(header).substr(kBearer.size());
    return given.size() == token.size() &&
           CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

}  // namespace

std::vector<server::ExtensionRoute> HttpRoutes(OpsService& ops) {
    std::vector<server::ExtensionRoute> routes;

    server::ExtensionRoute metrics;
    metrics.method = "GET";
    metrics.pattern = "/metrics";
    // Checked here: a signed-in user (session or API token) or the scrape token.
    metrics.access = server::RouteAccess::kPublic;
    // Scrapers reach it by address; it answers only to credentials, never to a cookie alone
    // from another site (the cookie is not sent to a rebound name).
    metrics.any_host = true;
    metrics.handle = [&ops](server::Request& req) {
        bool allowed = req.who.authenticated() ||
                       TokenMatches(req.Header(boost::beast::http::field::authorization),
                                    ops.options().metrics_token);
        if (!allowed) {
            server::Reply r = server::Api::Error(
                401, "unauthorized",
                "send Authorization: Bearer <API token or [metrics] token>, or sign in");
            r.AddHeader("WWW-Authenticate", "Bearer realm=\"beacon-metrics\"");
            return r;
        }
        server::Reply r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = ops.RenderMetrics();
        r.AddHeader("Cache-Control", "no-store");
        return r;
    };
    routes.push_back(std::move(metrics));

    server::ExtensionRoute summary;
    summary.method = "GET";
    summary.pattern = "/api/v1/ops/summary";
    summary.access = server::RouteAccess::kUser;
    summary.handle = [&ops](server::Request&) {
        return server::Api::Json(200, ops.Summary());
    };
    routes.push_back(std::move(summary));

    server::ExtensionRoute history;
    history.method = "GET";
    history.pattern = "/api/v1/ops/history";
    history.access = server::RouteAccess::kUser;
    history.handle = [&ops](server::Request& req) {
        auto h = ops.History(req.Query("series"), req.Query("range"));
        return h.ok() ? server::Api::Json(200, *h) : server::Api::Error(h.error());
    };
    routes.push_back(std::move(history));
    routes.push_back(QoeRoute(ops.qoe()));
    return routes;
}

}  // namespace beacon::ops
