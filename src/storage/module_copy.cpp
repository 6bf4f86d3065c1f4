#include "storage/module_copy.hpp"

#include <sqlite3.h>

#include "storage/postgres.hpp"

namespace beacon::storage {

using core::Error;

core::Result<std::vector<std::pair<std::string, std::int64_t>>> CopyModuleTables(
    const std::string& sqlite_path, const std::string& postgres_url,
    const std::vector<std::string>& tables) {
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
    using Report = std::vector<std::pair<std::string, std::int64_t>>;
    return pg::InTransaction(*pg, [&]() -> core::Result<Report> {
        Report report;
        for (const auto& table : tables) {
            BEACON_TRY(n, pg->Query("SELECT COUNT(*) FROM " + table));
            if (n.Int(0, 0) != 0) {
                return Error::Conflict("the PostgreSQL database is not empty (table " + table +
                                       " has rows); migrate into a new database");
            }
            BEACON_TRY(
                cols,
                pg->Query("SELECT column_name, data_type FROM information_schema.columns WHERE "
                          "table_schema = current_schema() AND table_name = $1 AND "
                          "is_generated = 'NEVER' ORDER BY ordinal_position",
                          pg::Params().Add(table)));
            if (cols.empty()) return Error::Internal("PostgreSQL has no table " + table);
            std::string list;
            std::string reads;
            std::string marks;
            for (int i = 0; i < cols.size(); ++i) {
                // bytea (bytes that may hold NULs): read as hex from SQLite, decoded by PostgreSQL.
                const bool bytes = cols.Text(i, 1) == "bytea";
                list += (i ? ", " : "") + cols.Text(i, 0);
                reads += (i ? ", " : "") +
                         (bytes ? "CASE WHEN " + cols.Text(i, 0) + " IS NULL THEN NULL ELSE hex(" +
                                      cols.Text(i, 0) + ") END"
                                : cols.Text(i, 0));
                marks += std::string(i ? ", " : "") + (bytes ? "decode($" : "$") +
                         std::to_string(i + 1) + (bytes ? ", 'hex')" : "");
            }
            sqlite3_stmt* st = nullptr;
            const std::string select = "SELECT " + reads + " FROM " + table;
            if (sqlite3_prepare_v2(lite, select.c_str(), -1, &st, nullptr) != SQLITE_OK) {
                std::string msg = sqlite3_errmsg(lite);
                sqlite3_finalize(st);
                return Error::Internal("reading " + table + " from " + sqlite_path + ": " + msg);
            }
            const std::string insert =
                "INSERT INTO " + table + "(" + list + ") VALUES(" + marks + ")";
            std::int64_t copied = 0;
            int rc = SQLITE_ROW;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                pg::Params p;
                for (int c = 0; c < cols.size(); ++c) {
                    if (sqlite3_column_type(st, c) == SQLITE_NULL) {
                        p.AddNull();
                    } else {
                        p.Add(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c)),
                                          static_cast<std::size_t>(sqlite3_column_bytes(st, c))));
                    }
                }
                auto ins = pg->Query(insert, p);
                if (!ins.ok()) {
                    sqlite3_finalize(st);
                    return Error::Internal("copying " + table + ": " + ins.error().message);
                }
                ++copied;
            }
            sqlite3_finalize(st);
            if (rc != SQLITE_DONE) return Error::Internal("reading " + table + " failed");
            report.emplace_back(table, copied);
            // New ids continue after the copied ones, and after SQLite's AUTOINCREMENT counter
            // (ids of deleted rows are never handed out again).
            bool has_id = false;
            for (int i = 0; i < cols.size(); ++i) has_id = has_id || cols.Text(i, 0) == "id";
            if (!has_id) continue;
            BEACON_TRY(
                seq, pg->Query("SELECT pg_get_serial_sequence($1, 'id')", pg::Params().Add(table)));
            if (seq.empty() || seq.IsNull(0, 0)) continue;
            std::int64_t counter = 0;
            sqlite3_stmt* s = nullptr;
            if (sqlite3_prepare_v2(lite, "SELECT seq FROM sqlite_sequence WHERE name = ?", -1, &s,
                                   nullptr) == SQLITE_OK) {
                sqlite3_bind_text(s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
                if (sqlite3_step(s) == SQLITE_ROW) counter = sqlite3_column_int64(s, 0);
            }
            sqlite3_finalize(s);
            BEACON_CHECK(
                pg->Query("SELECT setval($1, GREATEST($2::bigint, COALESCE((SELECT MAX(id) "
                          "FROM " +
                              table +
                              "), 0), 1), $2::bigint > 0 OR EXISTS "
                              "(SELECT 1 FROM " +
                              table + "))",
                          pg::Params().Add(seq.Text(0, 0)).Add(counter)));
        }
        return report;
    });
}

}  // namespace beacon::storage
