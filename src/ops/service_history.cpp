// OpsService's history kept in the database (ops/history.hpp): each sample stored, compacted
// now and then, and read back for GET /api/v1/ops/history.
#include <algorithm>
#include <iostream>

#include "ops/service.hpp"

namespace beacon::ops {

using core::Json;

namespace {

constexpr std::int64_t kCompactEveryMs = 10 * 60'000;

}  // namespace

void OpsService::RecordHistory(const HistoryPoint& p) {
    if (!history_store_) return;
    std::int64_t since = 0;
    bool compact = false;
    {
        std::lock_guard lock(mu_);
        // Consecutive samples cover [previous, now) without overlap, so completions add up. The
        // first sample of a process counts none: the process before it (a restart) may have
        // stored those already.
        if (history_recorded_at_ > 0 && p.t <= history_recorded_at_) return;
        since = history_recorded_at_ > 0 ? history_recorded_at_ : p.t;
        history_recorded_at_ = p.t;
        compact = p.t - history_compacted_at_ >= kCompactEveryMs;
        if (compact) history_compacted_at_ = p.t;
    }
    std::map<std::string, double> values = {
        {"queue_depth", p.queued},
        {"jobs_running", p.running},
        {"jobs_completed", since < p.t ? CompletedBetween(since, p.t) : 0.0},
        {"data_bytes", p.data_bytes},
        {"disk_free_bytes", p.disk_free},
        {"viewers", p.viewers},
    };
    if (p.gpu_util >= 0) {
        values["gpu_utilization"] = p.gpu_util;
        values["gpu_memory_used_bytes"] = p.gpu_mem_used;
        values["gpu_memory_size_bytes"] = p.gpu_mem_total;
    }
    for (const auto& [name, v] : p.labelled) values[name] = v;
    if (auto st = history_store_->Record(p.t, values); !st.ok()) {
        std::cerr << "beacon: dashboard history not stored: " << st.error().message << "\n";
    }
    if (compact) {
        if (auto st = history_store_->Compact(p.t); !st.ok()) {
            std::cerr << "beacon: dashboard history not compacted: " << st.error().message << "\n";
        }
    }
}

core::Result<Json> OpsService::History(std::string_view series, std::string_view range) {
    if (!history_store_) {
        return core::Error::Unavailable("the dashboard history is not kept on this server", false);
    }
    if (range.empty()) range = "24h";
    auto span = ParseHistoryRange(range);
    if (!span) {
        return core::Error::Invalid("range must be one of 1h, 6h, 24h, 7d, 30d (not '" +
                                    std::string(range) + "')");
    }
    const std::int64_t to = core::NowMillis();
    const std::int64_t from = to - *span;
    std::vector<std::string> names;
    auto add = [&](const std::string& name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    };
    // A labelled base name ("gpu_device_memory_used_bytes") stands for all its series that have
    // points in the range.
    auto add_labelled = [&](std::string_view base) -> core::Status {
        BEACON_TRY(found, history_store_->LabelledNames(base, from));
        for (const auto& name : found) add(name);
        return {};
    };
    if (series.empty()) {
        for (const auto& [name, agg] : HistorySeries()) add(name);
        for (const auto& [base, agg] : LabelledHistorySeries()) BEACON_CHECK(add_labelled(base));
    } else {
        while (!series.empty()) {
            auto comma = series.find(',');
            std::string name(series.substr(0, comma));
            series =
                comma == std::string_view::npos ? std::string_view() : series.substr(comma + 1);
            if (LabelledHistorySeries().contains(name)) {
                BEACON_CHECK(add_labelled(name));
            } else if (HistoryAggregate(name)) {
                add(name);
            } else {
                return core::Error::Invalid("unknown series '" + name + "'");
            }
        }
    }
    Json out = {
        {"range", std::string(range)},
        {"from", from},
        {"to", to},
        {"resolution_seconds", *span <= history_store_->retention().keep_minutes_ms ? 60 : 3600}};
    Json all = Json::object();
    for (const auto& name : names) {
        BEACON_TRY(points, history_store_->Read(name, from, to));
        Json list = Json::array();
        for (const auto& v : points) list.push_back(Json::array({v.t, v.value}));
        all[name] = std::move(list);
    }
    out["series"] = std::move(all);
    return out;
}

}  // namespace beacon::ops
