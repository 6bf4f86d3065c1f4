#include "ops/history.hpp"

#include <algorithm>

#include "storage/module_db.hpp"

namespace beacon::ops {

using storage::Args;

namespace {

// Version i of both lists is the same change (storage::ModuleDb::Migrate). One row per series,
// resolution (60 or 3600 s) and bucket: the sum of its samples and how many there were.
constexpr std::string_view kSqlite[] = {
    R"SQL(
CREATE TABLE IF NOT EXISTS ops_history (
  series TEXT NOT NULL,
  res INTEGER NOT NULL,
  t INTEGER NOT NULL,
  total REAL NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (series, res, t)
);
)SQL",
};
constexpr std::string_view kPostgres[] = {
    R"SQL(
CREATE TABLE ops_history (
  series TEXT NOT NULL,
  res INTEGER NOT NULL,
  t BIGINT NOT NULL,
  total DOUBLE PRECISION NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (series, res, t)
);
)SQL",
};

constexpr int kMinute = 60;
constexpr int kHour = 3600;

std::int64_t Floor(std::int64_t t, std::int64_t step) { return t - ((t % step) + step) % step; }

double Value(Aggregate a, double total, std::int64_t n) {
    return a == Aggregate::kSum || n <= 0 ? total : total / static_cast<double>(n);
}

}  // namespace

const std::map<std::string, Aggregate, std::less<>>& HistorySeries() {
    static const std::map<std::string, Aggregate, std::less<>> kSeries = {
        {"queue_depth", Aggregate::kMean},           {"jobs_running", Aggregate::kMean},
        {"jobs_completed", Aggregate::kSum},         {"data_bytes", Aggregate::kMean},
        {"disk_free_bytes", Aggregate::kMean},       {"viewers", Aggregate::kMean},
        {"gpu_utilization", Aggregate::kMean},       {"gpu_memory_used_bytes", Aggregate::kMean},
        {"gpu_memory_size_bytes", Aggregate::kMean},
    };
    return kSeries;
}

const std::map<std::string, Aggregate, std::less<>>& LabelledHistorySeries() {
    static const std::map<std::string, Aggregate, std::less<>> kSeries = {
        {"gpu_device_memory_used_bytes", Aggregate::kMean},
        {"gpu_device_memory_size_bytes", Aggregate::kMean},
        {"ollama_vram_bytes", Aggregate::kMean},
        {"ollama_loaded_bytes", Aggregate::kMean},
    };
    return kSeries;
}

std::string LabelledSeries(std::string_view base, const std::vector<std::string>& labels) {
    std::string out(base);
    for (const auto& l : labels) {
        out += '|';
        for (char c : l) out += c == '|' ? '/' : c;
    }
    return out;
}

std::optional<Aggregate> HistoryAggregate(std::string_view name) {
    if (auto it = HistorySeries().find(name); it != HistorySeries().end()) return it->second;
    auto bar = name.find('|');
    if (bar == std::string_view::npos || name.size() > 200) return std::nullopt;
    auto it = LabelledHistorySeries().find(name.substr(0, bar));
    if (it == LabelledHistorySeries().end()) return std::nullopt;
    // Every label non-empty: no "||" and no trailing '|'.
    if (name.back() == '|' || name.find("||") != std::string_view::npos) return std::nullopt;
    return it->second;
}

std::optional<std::int64_t> ParseHistoryRange(std::string_view range) {
    static const std::map<std::string_view, std::int64_t> kRanges = {
        {"1h", 3'600'000LL},          {"6h", 6 * 3'600'000LL},        {"24h", 24 * 3'600'000LL},
        {"7d", 7 * 24 * 3'600'000LL}, {"30d", 30 * 24 * 3'600'000LL},
    };
    auto it = kRanges.find(range);
    if (it == kRanges.end()) return std::nullopt;
    return it->second;
}

HistoryStore::HistoryStore(std::unique_ptr<storage::ModuleDb> db, HistoryRetention retention)
    : db_(std::move(db)), retention_(retention) {}
HistoryStore::~HistoryStore() = default;

core::Result<std::unique_ptr<HistoryStore>> HistoryStore::Open(const std::string& where,
                                                               HistoryRetention retention) {
    BEACON_TRY(db, storage::ModuleDb::Open(where));
    BEACON_CHECK(db->Migrate("ops_history", kSqlite, kPostgres));
    return std::unique_ptr<HistoryStore>(new HistoryStore(std::move(db), retention));
}

core::Status HistoryStore::Record(std::int64_t t_ms, const std::map<std::string, double>& values) {
    for (const auto& [name, v] : values) {
        if (!HistoryAggregate(name)) return core::Error::Invalid("unknown history series " + name);
    }
    const std::int64_t bucket = Floor(t_ms, retention_.minute_ms);
    return db_->Transaction([&]() -> core::Status {
        for (const auto& [name, v] : values) {
            BEACON_CHECK(
                db_->Query("INSERT INTO ops_history(series, res, t, total, n) VALUES(?,?,?,?,1) "
                           "ON CONFLICT(series, res, t) DO UPDATE SET total = ops_history.total + "
                           "excluded.total, n = ops_history.n + 1",
                           Args().Add(name).Add(kMinute).Add(bucket).Add(v)));
        }
        return {};
    });
}

core::Status HistoryStore::Compact(std::int64_t now_ms) {
    const std::int64_t minute_cutoff = now_ms - retention_.keep_minutes_ms;
    const std::int64_t hour_cutoff = now_ms - retention_.keep_hours_ms;
    return db_->Transaction([&]() -> core::Status {
        BEACON_TRY(old, db_->Query("SELECT series, t, total, n FROM ops_history "
                                   "WHERE res = ? AND t < ? ORDER BY series, t",
                                   Args().Add(kMinute).Add(minute_cutoff)));
        // Fold each hour's minute buckets: totals and counts add up (a mean stays a mean of
        // all samples, a sum a sum), also into an hourly bucket folded in an earlier run.
        std::map<std::pair<std::string, std::int64_t>, std::pair<double, std::int64_t>> hours;
        for (int r = 0; r < old.size(); ++r) {
            auto& h = hours[{old.Text(r, 0), Floor(old.Int(r, 1), retention_.hour_ms)}];
            h.first += old.Double(r, 2);
            h.second += old.Int(r, 3);
        }
        for (const auto& [key, h] : hours) {
            BEACON_CHECK(db_->Query(
                "INSERT INTO ops_history(series, res, t, total, n) VALUES(?,?,?,?,?) "
                "ON CONFLICT(series, res, t) DO UPDATE SET total = ops_history.total + "
                "excluded.total, n = ops_history.n + excluded.n",
                Args().Add(key.first).Add(kHour).Add(key.second).Add(h.first).Add(h.second)));
        }
        BEACON_CHECK(db_->Query("DELETE FROM ops_history WHERE res = ? AND t < ?",
                                Args().Add(kMinute).Add(minute_cutoff)));
        BEACON_CHECK(db_->Query("DELETE FROM ops_history WHERE res = ? AND t < ?",
                                Args().Add(kHour).Add(hour_cutoff)));
        return {};
    });
}

core::Result<std::vector<HistoryValue>> HistoryStore::Read(std::string_view series,
                                                           std::int64_t from_ms,
                                                           std::int64_t to_ms) {
    auto known = HistoryAggregate(series);
    if (!known) return core::Error::Invalid("unknown history series " + std::string(series));
    const Aggregate agg = *known;
    std::vector<HistoryValue> out;
    if (to_ms - from_ms <= retention_.keep_minutes_ms) {
        BEACON_TRY(t, db_->Query("SELECT t, total, n FROM ops_history WHERE series = ? AND "
                                 "res = ? AND t >= ? AND t <= ? ORDER BY t",
                                 Args()
                                     .Add(series)
                                     .Add(kMinute)
                                     .Add(Floor(from_ms, retention_.minute_ms))
                                     .Add(to_ms)));
        for (int r = 0; r < t.size(); ++r) {
            out.push_back({t.Int(r, 0), Value(agg, t.Double(r, 1), t.Int(r, 2))});
        }
        return out;
    }
    // Hourly: the folded buckets plus the recent minutes folded here the same way.
    BEACON_TRY(t,
               db_->Query("SELECT res, t, total, n FROM ops_history WHERE series = ? AND "
                          "t >= ? AND t <= ? ORDER BY t",
                          Args().Add(series).Add(Floor(from_ms, retention_.hour_ms)).Add(to_ms)));
    std::map<std::int64_t, std::pair<double, std::int64_t>> hours;
    for (int r = 0; r < t.size(); ++r) {
        auto& h = hours[Floor(t.Int(r, 1), retention_.hour_ms)];
        h.first += t.Double(r, 2);
        h.second += t.Int(r, 3);
    }
    for (const auto& [hour, h] : hours) out.push_back({hour, Value(agg, h.first, h.second)});
    return out;
}

core::Result<std::vector<std::string>> HistoryStore::LabelledNames(std::string_view base,
                                                                   std::int64_t from_ms) {
    const std::string prefix = std::string(base) + "|";
    // LIKE's '_' matches any character (the base names have some): exact check below.
    BEACON_TRY(t, db_->Query("SELECT DISTINCT series FROM ops_history WHERE series LIKE ? AND "
                             "t >= ? ORDER BY series",
                             Args().Add(prefix + "%").Add(Floor(from_ms, retention_.hour_ms))));
    std::vector<std::string> out;
    for (int r = 0; r < t.size(); ++r) {
        std::string name = t.Text(r, 0);
        if (name.starts_with(prefix) && HistoryAggregate(name)) out.push_back(std::move(name));
    }
    return out;
}

core::Result<std::int64_t> HistoryStore::Rows() {
    BEACON_TRY(t, db_->Query("SELECT COUNT(*) FROM ops_history"));
    return t.empty() ? 0 : t.Int(0, 0);
}

}  // namespace beacon::ops
