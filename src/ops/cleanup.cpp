#include "ops/cleanup.hpp"

#include <sqlite3.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>

namespace beacon::ops {

namespace fs = std::filesystem;

namespace {

std::int64_t TreeBytes(const fs::path& p) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return static_cast<std::int64_t>(fs::file_size(p, ec));
    std::int64_t total = 0;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code fec;
        if (it->is_regular_file(fec)) total += static_cast<std::int64_t>(it->file_size(fec));
    }
    return total;
}

/// The newest modification time inside a tree (so a folder still being written is young).
fs::file_time_type NewestWrite(const fs::path& p) {
    std::error_code ec;
    auto newest = fs::last_write_time(p, ec);
    if (!fs::is_directory(p, ec)) return newest;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code fec;
        auto t = it->last_write_time(fec);
        if (!fec && t > newest) newest = t;
    }
    return newest;
}

std::optional<std::int64_t> NumericName(const std::string& s, std::string_view prefix = {}) {
    if (!s.starts_with(prefix) || s.size() == prefix.size()) return std::nullopt;
    std::int64_t v = 0;
    for (char c : s.substr(prefix.size())) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace

core::Result<CleanupReport> Cleanup(const fs::path& data_dir, int days, bool dry_run) {
    std::error_code ec;
    fs::path db_file = data_dir / "beacon.db";
    if (!fs::exists(db_file, ec)) return core::Error::NotFound("no database in " + data_dir.string());
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        if (db) sqlite3_close(db);
        return core::Error::Unavailable("cannot open " + db_file.string(), false);
    }
    sqlite3_busy_timeout(db, 5000);
    std::set<std::int64_t> content;
    std::map<std::int64_t, std::pair<std::string, std::int64_t>> jobs;  // id → status, updated_at
    std::set<std::string> deferred;
    auto query = [&](const char* sql, auto&& row) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return false;
        int rc = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) row(st);
        sqlite3_finalize(st);
        return rc == SQLITE_DONE;
    };
    bool ok = query("SELECT id FROM content",
                    [&](sqlite3_stmt* st) { content.insert(sqlite3_column_int64(st, 0)); }) &&
              query("SELECT id, status, updated_at FROM jobs",
                    [&](sqlite3_stmt* st) {
                        jobs[sqlite3_column_int64(st, 0)] = {
                            reinterpret_cast<const char*>(sqlite3_column_text(st, 1)),
                            sqlite3_column_int64(st, 2)};
                    }) &&
              query("SELECT prefix FROM object_deletes", [&](sqlite3_stmt* st) {
                  deferred.insert(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
              });
    std::string err = sqlite3_errmsg(db);
    sqlite3_close(db);
    if (!ok) return core::Error::Unavailable("cannot read the database: " + err, false);

    const auto now = fs::file_time_type::clock::now();
    const auto age = std::chrono::hours(24) * days;
    CleanupReport report;
    auto add = [&](const fs::path& p, std::string reason) {
        CleanupItem item{p, std::move(reason), TreeBytes(p)};
        report.bytes += item.bytes;
        report.items.push_back(std::move(item));
    };
    auto old_enough = [&](const fs::path& p) { return now - NewestWrite(p) > age; };
    auto over = [](const std::string& s) { return s == "completed" || s == "failed" || s == "canceled"; };

    for (fs::directory_iterator it(data_dir / "media" / "library", ec), end; !ec && it != end;
         it.increment(ec)) {
        auto id = NumericName(it->path().filename().string());
        if (!id || content.count(*id)) continue;
        if (deferred.count("library/" + std::to_string(*id) + "/")) continue;
        add(it->path(), "library item " + std::to_string(*id) + " no longer exists");
    }
    ec.clear();
    for (fs::directory_iterator it(data_dir / "media" / "jobs", ec), end; !ec && it != end;
         it.increment(ec)) {
        auto id = NumericName(it->path().filename().string());
        if (!id) continue;
        auto job = jobs.find(*id);
        if (job == jobs.end()) {
            add(it->path(), "job " + std::to_string(*id) + " no longer exists");
        }
    }
    ec.clear();
    for (fs::directory_iterator it(data_dir / "tmp", ec), end; !ec && it != end; it.increment(ec)) {
        auto id = NumericName(it->path().filename().string(), "job-");
        if (!id) continue;
        auto job = jobs.find(*id);
        bool done = job == jobs.end() || over(job->second.first);
        if (done && old_enough(it->path())) {
            add(it->path(), "scratch of " +
                                (job == jobs.end() ? std::string("a deleted") : job->second.first) +
                                " job " + std::to_string(*id) + " older than " +
                                std::to_string(days) + " days");
        }
    }
    ec.clear();
    for (fs::recursive_directory_iterator it(data_dir / "media", ec), end; !ec && it != end;
         it.increment(ec)) {
        std::error_code fec;
        if (!it->is_regular_file(fec)) continue;
        if (it->path().filename().string().find(".tmp-") == std::string::npos) continue;
        if (old_enough(it->path())) add(it->path(), "half-written object left by a crash");
    }
    if (!dry_run) {
        for (const auto& item : report.items) fs::remove_all(item.path, ec);
        report.removed = true;
    }
    return report;
}

}  // namespace beacon::ops
