#pragma once
/// The dashboard's history in the database: a few key series sampled while `beacon serve` runs,
/// kept at 1-minute resolution for 24 hours and at 1-hour resolution for 30 days, so that a
/// restarted studio still plots the last day. Its own table (ops_history) through
/// storage::ModuleDb: a SQLite file of its own, or the studio's PostgreSQL database.
/// Thread-safe (ModuleDb serialises statements).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace beacon::storage {
class ModuleDb;
}

namespace beacon::ops {

/// How samples of a series combine into one bucket: the mean (levels such as queue depth) or
/// the sum (events such as jobs completed in the interval).
enum class Aggregate { kMean, kSum };

/// The series kept (their names are the API's `series` values): queue_depth, jobs_running,
/// jobs_completed (finished in each interval), data_bytes, disk_free_bytes, viewers,
/// gpu_utilization, gpu_memory_used_bytes, gpu_memory_size_bytes.
const std::map<std::string, Aggregate, std::less<>>& HistorySeries();

/// Series kept once per remote GPU host or device, named `<base>|<label>|...` (LabelledSeries):
/// gpu_device_memory_used_bytes and gpu_device_memory_size_bytes (|service|host|device, from
/// ComfyUI's /system_stats), ollama_vram_bytes and ollama_loaded_bytes (|host, from /api/ps).
const std::map<std::string, Aggregate, std::less<>>& LabelledHistorySeries();
/// "base|a|b": a labelled series' stored name ('|' in a part becomes '/').
std::string LabelledSeries(std::string_view base, const std::vector<std::string>& labels);
/// How a stored series aggregates: a fixed name, or a labelled one whose base is known and whose
/// labels are non-empty (the whole name at most 200 bytes); nullopt otherwise.
std::optional<Aggregate> HistoryAggregate(std::string_view name);

struct HistoryValue {
    std::int64_t t = 0;  // bucket start, Unix ms
    double value = 0;
};

struct HistoryRetention {
    std::int64_t minute_ms = 60'000;
    std::int64_t hour_ms = 3'600'000;
    std::int64_t keep_minutes_ms = 24 * 3'600'000LL;     // 1-minute buckets younger than this
    std::int64_t keep_hours_ms = 30 * 24 * 3'600'000LL;  // hourly buckets younger than this
};

class HistoryStore {
public:
    /// `where`: a SQLite file (created when missing) or a postgresql:// URL.
    static core::Result<std::unique_ptr<HistoryStore>> Open(const std::string& where,
                                                            HistoryRetention retention = {});
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    /// Adds one sample of each given series at `t_ms` into its 1-minute bucket (several samples
    /// in one minute: their mean, or their sum for kSum series). Unknown names: kInvalidArgument.
    core::Status Record(std::int64_t t_ms, const std::map<std::string, double>& values);
    /// Folds 1-minute buckets older than 24 h into hourly ones and drops hourly buckets older
    /// than 30 days (relative to `now_ms`). Idempotent; cheap when there is nothing to do.
    core::Status Compact(std::int64_t now_ms);
    /// The series' points with from_ms <= t <= to_ms, oldest first: 1-minute buckets when the
    /// span is at most 24 h, hourly ones (minute buckets folded on the fly) beyond.
    core::Result<std::vector<HistoryValue>> Read(std::string_view series, std::int64_t from_ms,
                                                 std::int64_t to_ms);
    /// The labelled series of `base` with a bucket at or after `from_ms`, sorted.
    core::Result<std::vector<std::string>> LabelledNames(std::string_view base,
                                                         std::int64_t from_ms);
    /// Rows held (both resolutions), for tests and the docs' sizing note.
    core::Result<std::int64_t> Rows();

    const HistoryRetention& retention() const { return retention_; }

private:
    HistoryStore(std::unique_ptr<storage::ModuleDb> db, HistoryRetention retention);
    std::unique_ptr<storage::ModuleDb> db_;
    HistoryRetention retention_;
};

/// "1h", "6h", "24h", "7d" or "30d" in milliseconds; nullopt for anything else.
std::optional<std::int64_t> ParseHistoryRange(std::string_view range);

}  // namespace beacon::ops
