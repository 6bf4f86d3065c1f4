#pragma once
/// Player quality of experience (QoE): the studio's web player reports, in small batches, how
/// long playback took to start, how often and how long it stalled, and which errors it hit
/// (POST /api/v1/qoe). The reports become Prometheus series without any content id or user id:
/// beacon_player_startup_seconds (histogram), beacon_player_stalls_total,
/// beacon_player_stall_seconds_total and beacon_player_errors_total{class}.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "ops/metrics.hpp"
#include "server/extension.hpp"

namespace beacon::ops {

/// The error classes a report may name (the label values of beacon_player_errors_total):
/// network (a segment or playlist did not load), decode, unsupported (no playable source),
/// aborted (the browser gave up fetching), other.
const std::vector<std::string>& QoeErrorClasses();

/// One batch from one player.
struct QoeReport {
    std::vector<double> startup_seconds;          // time to first frame, one per playback start
    std::uint64_t stalls = 0;                     // stalls that began since the last batch
    double stall_seconds = 0;                     // stalled time that ended since the last batch
    std::map<std::string, std::uint64_t> errors;  // class → count
};

/// Largest body accepted (bytes); a longer one is 413.
inline constexpr std::size_t kQoeMaxBody = 4096;

/// Parses and checks a report body (JSON; unknown fields, wrong types and values out of range
/// are refused with kInvalidArgument naming the field). Limits: at most 20 startup times of
/// 0..600 s, stalls 0..10000, stall_seconds 0..86400, known error classes with counts 0..1000.
core::Result<QoeReport> ParseQoeReport(std::string_view body);

struct QoeOptions {
    /// Reports each client may send per minute (a player sends about 2); beyond it 429.
    double reports_per_minute = 30;
    double burst = 30;
};

/// Counts reports into a registry. Thread-safe.
class QoeMetrics {
public:
    /// Adds the player families to `registry` (which must outlive this object).
    explicit QoeMetrics(Registry& registry, QoeOptions options = {});

    /// Admits one report from `client` (an opaque key: the user id) under the rate limit and
    /// counts it. kRateLimited (retry_after set) when the client sends too many.
    core::Status Record(
        const std::string& client, const QoeReport& report,
        std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

private:
    struct Bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point at{};
    };
    QoeOptions options_;
    Family* startup_;
    Family* stalls_;
    Family* stall_seconds_;
    Family* errors_;
    std::mutex mu_;
    std::map<std::string, Bucket> buckets_;
};

/// POST /api/v1/qoe: a signed-in user's player (session cookie, or a bearer token). Public at
/// the router so that navigator.sendBeacon (which cannot add X-CSRF-Token) can send it; the
/// session cookie is SameSite=Strict, so another site's page cannot send one with it. Answers
/// 204, 400 (bad body), 401, 413 (over kQoeMaxBody), 429.
server::ExtensionRoute QoeRoute(QoeMetrics& qoe);

}  // namespace beacon::ops
