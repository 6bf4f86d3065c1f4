#include "ops/qoe.hpp"

#include <algorithm>
#include <cmath>

#include "server/api.hpp"

namespace beacon::ops {

using core::Json;

namespace {

core::Error Bad(const std::string& field, const std::string& why) {
    return core::Error::Invalid("qoe report: " + field + " " + why);
}

/// A finite number in [lo, hi], or an error naming `field`.
core::Result<double> Number(const Json& v, const std::string& field, double lo, double hi) {
    if (!v.is_number()) return Bad(field, "must be a number");
    double d = v.get<double>();
    if (!std::isfinite(d) || d < lo || d > hi) {
        return Bad(field, "must be between " + FormatValue(lo) + " and " + FormatValue(hi));
    }
    return d;
}

/// A whole number in [0, hi].
core::Result<std::uint64_t> Count(const Json& v, const std::string& field, std::uint64_t hi) {
    if (!v.is_number_integer() && !v.is_number_unsigned()) {
        return Bad(field, "must be a whole number");
    }
    if (v.is_number_integer() && v.get<std::int64_t>() < 0)
        return Bad(field, "must not be negative");
    auto n = v.get<std::uint64_t>();
    if (n > hi) return Bad(field, "must be at most " + std::to_string(hi));
    return n;
}

}  // namespace

const std::vector<std::string>& QoeErrorClasses() {
    static const std::vector<std::string> kClasses = {"network", "decode", "unsupported", "aborted",
                                                      "other"};
    return kClasses;
}

core::Result<QoeReport> ParseQoeReport(std::string_view body) {
    Json j = Json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Bad("body", "must be a JSON object");
    QoeReport r;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        const Json& v = it.value();
        if (key == "v") {
            if (v != 1) return Bad("v", "must be 1");
        } else if (key == "startup_seconds") {
            if (!v.is_array()) return Bad(key, "must be an array");
            if (v.size() > 20) return Bad(key, "may hold at most 20 values");
            for (std::size_t i = 0; i < v.size(); ++i) {
                BEACON_TRY(s, Number(v[i], key + "[" + std::to_string(i) + "]", 0, 600));
                r.startup_seconds.push_back(s);
            }
        } else if (key == "stalls") {
            BEACON_TRY(n, Count(v, key, 10000));
            r.stalls = n;
        } else if (key == "stall_seconds") {
            BEACON_TRY(s, Number(v, key, 0, 86400));
            r.stall_seconds = s;
        } else if (key == "errors") {
            if (!v.is_object()) return Bad(key, "must be an object of class: count");
            const auto& classes = QoeErrorClasses();
            for (auto e = v.begin(); e != v.end(); ++e) {
                if (std::find(classes.begin(), classes.end(), e.key()) == classes.end()) {
                    return Bad("errors." + e.key(),
                               "is not a known class (network, decode, unsupported, aborted, "
                               "other)");
                }
                BEACON_TRY(n, Count(e.value(), "errors." + e.key(), 1000));
                if (n > 0) r.errors[e.key()] = n;
            }
        } else {
            return Bad(key, "is not a field of a report");
        }
    }
    return r;
}

QoeMetrics::QoeMetrics(Registry& registry, QoeOptions options) : options_(options) {
    using T = MetricType;
    startup_ = &registry.Add("beacon_player_startup_seconds",
                             "Time from asking the web player to play until its first frame, as "
                             "players report it.",
                             T::kHistogram, {}, {0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60});
    stalls_ =
        &registry.Add("beacon_player_stalls_total",
                      "Times web players stalled (waited for data) during playback.", T::kCounter);
    stall_seconds_ = &registry.Add("beacon_player_stall_seconds_total",
                                   "Time web players spent stalled during playback.", T::kCounter);
    errors_ = &registry.Add("beacon_player_errors_total",
                            "Playback errors web players reported, by class (network, decode, "
                            "unsupported, aborted, other).",
                            T::kCounter, {"class"});
    // Present from the start (at 0), so a rate over them works before the first report.
    stalls_->Inc({}, 0);
    stall_seconds_->Inc({}, 0);
    for (const auto& c : QoeErrorClasses()) errors_->Inc({c}, 0);
}

core::Status QoeMetrics::Record(const std::string& client, const QoeReport& report,
                                std::chrono::steady_clock::time_point now) {
    {
        std::lock_guard lock(mu_);
        const double per_second = options_.reports_per_minute / 60.0;
        if (buckets_.size() > 10000) {  // forget idle clients (full again by now anyway)
            std::erase_if(buckets_, [&](const auto& kv) {
                return std::chrono::duration<double>(now - kv.second.at).count() * per_second >=
                       options_.burst;
            });
        }
        auto [it, fresh] = buckets_.try_emplace(client, Bucket{options_.burst, now});
        Bucket& b = it->second;
        if (!fresh) {
            double elapsed = std::chrono::duration<double>(now - b.at).count();
            b.tokens = std::min(options_.burst, b.tokens + std::max(0.0, elapsed) * per_second);
            b.at = now;
        }
        if (b.tokens < 1) {
            core::Error e{core::ErrorCode::kRateLimited,
                          "too many QoE reports from this player; try again later"};
            e.retryable = true;
            e.retry_after = std::chrono::milliseconds(
                static_cast<std::int64_t>(std::ceil((1 - b.tokens) / per_second * 1000)));
            return e;
        }
        b.tokens -= 1;
    }
    for (double s : report.startup_seconds) startup_->Observe({}, s);
    if (report.stalls > 0) stalls_->Inc({}, static_cast<double>(report.stalls));
    if (report.stall_seconds > 0) stall_seconds_->Inc({}, report.stall_seconds);
    for (const auto& [cls, n] : report.errors) errors_->Inc({cls}, static_cast<double>(n));
    return {};
}

server::ExtensionRoute QoeRoute(QoeMetrics& qoe) {
    server::ExtensionRoute route;
    route.method = "POST";
    route.pattern = "/api/v1/qoe";
    route.access = server::RouteAccess::kPublic;  // credentials checked below (see qoe.hpp)
    route.max_body_bytes = kQoeMaxBody;
    route.handle = [&qoe](server::Request& req) {
        if (!req.who.authenticated()) {
            return server::Api::Error(401, "unauthorized",
                                      "sign in first (session cookie or Authorization: Bearer)");
        }
        const std::string& body = req.msg.body();
        if (body.size() > kQoeMaxBody) {
            return server::Api::Error(
                413, "too_large",
                "a QoE report is at most " + std::to_string(kQoeMaxBody) + " bytes");
        }
        auto report = ParseQoeReport(body);
        if (!report.ok()) return server::Api::Error(report.error());
        if (auto st = qoe.Record("user:" + std::to_string(req.who.user_id), *report); !st.ok()) {
            return server::Api::Error(st.error());
        }
        server::Reply r;
        r.status = 204;
        return r;
    };
    return route;
}

}  // namespace beacon::ops
