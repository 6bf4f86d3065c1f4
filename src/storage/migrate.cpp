#include "storage/migrate.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "storage/migrations.hpp"
#include "storage/postgres.hpp"
#include "storage/postgres_database.hpp"

namespace beacon::storage {

using core::Error;

namespace {
/// The Database tables in the order they are copied, parents first (foreign keys hold at every
/// insert). Any other table both databases have is copied after these (by name), so a table a
/// new migration adds is never left behind.
constexpr const char* kOrder[] = {"users",     "sessions",       "api_tokens", "batches",
                                  "jobs",      "job_logs",       "content",    "assets",
                                  "playlists", "object_deletes", "moderation", "audit_log"};

/// Tables that are bookkeeping or an index of another table, never copied: SQLite's own, the
/// full-text index (rebuilt from content by its triggers on SQLite, a generated column on
/// PostgreSQL) and the schema versions (each side counts its own).
bool NotCopied(const std::string& table) {
    return table.starts_with("sqlite_") || table.starts_with("content_fts") ||
           table == "beacon_schema" || table == "module_schema";
}
}  // namespace

std::vector<std::string> CopiedTables(const std::vector<std::string>& sqlite_tables,
                                      const std::vector<std::string>& postgres_tables) {
    std::vector<std::string> both;
    for (const auto& t : sqlite_tables) {
        if (NotCopied(t)) continue;
        if (std::find(postgres_tables.begin(), postgres_tables.end(), t) != postgres_tables.end()) {
            both.push_back(t);
        }
    }
    std::vector<std::string> out;
    for (const char* t : kOrder) {
        if (std::find(both.begin(), both.end(), t) != both.end()) out.emplace_back(t);
    }
    std::sort(both.begin(), both.end());
    for (const auto& t : both) {
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    }
    return out;
}

core::Result<MigrateReport> CopySqliteToPostgres(const std::string& sqlite_path,
                                                 const std::string& postgres_url) {
    // Both schemas at their newest version first (the SQLite file is upgraded like on start).
    {
        BEACON_TRY(src, OpenSqlite(sqlite_path));
        BEACON_TRY(dst, OpenPostgres(postgres_url, 1));
    }
    sqlite3* lite = nullptr;
    if (sqlite3_open_v2(sqlite_path.c_str(), &lite, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::string msg = lite ? sqlite3_errmsg(lite) : "out of memory";
        sqlite3_close_v2(lite);
        return Error::Unavailable("cannot open " + sqlite_path + ": " + msg, false);
    }
    struct Closer {
        sqlite3* db;
        ~Closer() { sqlite3_close_v2(db); }
    } closer{lite};
    BEACON_TRY(pg, pg::Connection::Open(postgres_url));
    return pg::InTransaction(*pg, [&]() -> core::Result<MigrateReport> {
        for (const char* t : {"users", "jobs", "content", "playlists"}) {
            BEACON_TRY(n, pg->Query(std::string("SELECT COUNT(*) FROM ") + t));
            if (n.Int(0, 0) != 0) {
                return Error::Conflict(std::string("the PostgreSQL database is not empty (table ") +
                                       t + " has rows); migrate into a new database");
            }
        }
        // The tables both sides have (the SQLite file's and the studio schema's on PostgreSQL).
        std::vector<std::string> lite_tables, pg_tables;
        {
            sqlite3_stmt* names = nullptr;
            if (sqlite3_prepare_v2(lite, "SELECT name FROM sqlite_master WHERE type = 'table'", -1,
                                   &names, nullptr) == SQLITE_OK) {
                while (sqlite3_step(names) == SQLITE_ROW) {
                    lite_tables.emplace_back(
                        reinterpret_cast<const char*>(sqlite3_column_text(names, 0)));
                }
            }
            sqlite3_finalize(names);
            BEACON_TRY(rows,
                       pg->Query("SELECT table_name FROM information_schema.tables WHERE "
                                 "table_schema = current_schema() AND table_type = 'BASE TABLE'"));
            for (int i = 0; i < rows.size(); ++i) pg_tables.push_back(rows.Text(i, 0));
        }
        MigrateReport report;
        for (const std::string& table_name : CopiedTables(lite_tables, pg_tables)) {
            const char* table = table_name.c_str();
            // The columns both sides have (PostgreSQL's generated search column is not copied).
            BEACON_TRY(cols, pg->Query("SELECT column_name FROM information_schema.columns WHERE "
                                       "table_schema = current_schema() AND table_name = $1 AND "
                                       "is_generated = 'NEVER' ORDER BY ordinal_position",
                                       pg::Params().Add(table)));
            std::string list;
            std::string marks;
            for (int i = 0; i < cols.size(); ++i) {
                if (i) {
                    list += ", ";
                    marks += ", ";
                }
                list += cols.Text(i, 0);
                marks += "$" + std::to_string(i + 1);
            }
            sqlite3_stmt* st = nullptr;
            const std::string select = "SELECT " + list + " FROM " + table;
            if (sqlite3_prepare_v2(lite, select.c_str(), -1, &st, nullptr) != SQLITE_OK) {
                std::string msg = sqlite3_errmsg(lite);
                sqlite3_finalize(st);
                return Error::Internal("reading " + std::string(table) + ": " + msg);
            }
            const std::string insert =
                "INSERT INTO " + std::string(table) + "(" + list + ") VALUES(" + marks + ")";
            std::int64_t n = 0;
            int rc = SQLITE_ROW;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                pg::Params p;
                for (int c = 0; c < cols.size(); ++c) {
                    if (sqlite3_column_type(st, c) == SQLITE_NULL) {
                        p.AddNull();
                    } else {
                        // Text form for every type: PostgreSQL reads 0/1 as booleans, JSON text
                        // as jsonb, and numbers as numbers.
                        p.Add(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c)),
                                          static_cast<std::size_t>(sqlite3_column_bytes(st, c))));
                    }
                }
                auto ins = pg->Query(insert, p);
                if (!ins.ok()) {
                    sqlite3_finalize(st);
                    return Error::Internal("copying " + std::string(table) + ": " +
                                           ins.error().message);
                }
                ++n;
            }
            sqlite3_finalize(st);
            if (rc != SQLITE_DONE)
                return Error::Internal("reading " + std::string(table) + " failed");
            report.rows.emplace_back(table, n);
        }
        // New ids continue after the copied ones (never reused: they name media folders).
        std::vector<std::string> identity;
        for (const auto& [table, n] : report.rows) {
            (void)n;
            BEACON_TRY(seq, pg->Query("SELECT pg_get_serial_sequence($1, 'id') FROM "
                                      "information_schema.columns WHERE table_schema = "
                                      "current_schema() AND table_name = $1 AND column_name = 'id'",
                                      pg::Params().Add(table)));
            if (seq.empty() || seq.IsNull(0, 0)) continue;
            identity.push_back(table);
            BEACON_CHECK(pg->Query("SELECT setval($1, GREATEST((SELECT MAX(id) FROM " + table +
                                       "), 1), (SELECT MAX(id) FROM " + table + ") IS NOT NULL)",
                                   pg::Params().Add(seq.Text(0, 0))));
        }
        // SQLite's AUTOINCREMENT counters may be past the largest id left (deleted rows).
        sqlite3_stmt* seq = nullptr;
        if (sqlite3_prepare_v2(lite, "SELECT name, seq FROM sqlite_sequence", -1, &seq, nullptr) ==
            SQLITE_OK) {
            while (sqlite3_step(seq) == SQLITE_ROW) {
                const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(seq, 0));
                const std::int64_t value = sqlite3_column_int64(seq, 1);
                bool known = std::find(identity.begin(), identity.end(), name) != identity.end();
                if (!known || value <= 0) continue;
                BEACON_CHECK(
                    pg->Query("SELECT setval(pg_get_serial_sequence($1, 'id'), "
                              "GREATEST($2::bigint, COALESCE((SELECT MAX(id) FROM " +
                                  name + "), 0)), true)",
                              pg::Params().Add(name).Add(value)));
            }
        }
        sqlite3_finalize(seq);
        return report;
    });
}

}  // namespace beacon::storage
