#include "storage/module_db.hpp"

#include <cstdlib>

#include <sqlite3.h>

#include "storage/postgres.hpp"
#include "storage/sqlite.hpp"

namespace beacon::storage {

using core::Error;

namespace {
/// Lock key for module migrations on PostgreSQL (any constant shared by every Beacon process).
constexpr std::int64_t kModuleMigrationLock = 0x426561636f6f;

/// `?` → `$1`, `$2`, ... outside quoted strings and identifiers.
std::string Numbered(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 8);
    int n = 0;
    char quote = 0;
    for (char c : sql) {
        if (quote) {
            if (c == quote) quote = 0;
            out += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            out += c;
        } else if (c == '?') {
            out += '$' + std::to_string(++n);
        } else {
            out += c;
        }
    }
    return out;
}
/// As storage::sqlite's statements: a constraint is a conflict; busy, full or I/O is unavailable.
Error LiteError(sqlite3* db) {
    const int code = sqlite3_extended_errcode(db) & 0xff;
    std::string text = std::string("database: query failed: ") + sqlite3_errmsg(db);
    if (code == SQLITE_CONSTRAINT) return Error{core::ErrorCode::kConflict, text, false};
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_FULL ||
        code == SQLITE_IOERR || code == SQLITE_READONLY) {
        return Error{core::ErrorCode::kUnavailable, text, true};
    }
    return Error::Internal(text);
}
}  // namespace

bool IsPostgresUrl(std::string_view url) {
    return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::int64_t Table::Int(int row, int col) const {
    const auto& v = rows_.at(static_cast<std::size_t>(row)).at(static_cast<std::size_t>(col));
    if (!v) return 0;
    if (*v == "t") return 1;  // a PostgreSQL boolean
    if (*v == "f") return 0;
    return std::strtoll(v->c_str(), nullptr, 10);
}
double Table::Double(int row, int col) const {
    const auto& v = rows_.at(static_cast<std::size_t>(row)).at(static_cast<std::size_t>(col));
    return v ? std::strtod(v->c_str(), nullptr) : 0.0;
}
std::string Table::Text(int row, int col) const {
    const auto& v = rows_.at(static_cast<std::size_t>(row)).at(static_cast<std::size_t>(col));
    return v ? *v : std::string();
}
bool Table::IsNull(int row, int col) const {
    return !rows_.at(static_cast<std::size_t>(row)).at(static_cast<std::size_t>(col));
}
std::optional<std::int64_t> Table::OptInt(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return Int(row, col);
}

struct ModuleDb::Impl {
    std::unique_ptr<sqlite::Connection> lite;
    std::unique_ptr<pg::Connection> pg;
};

ModuleDb::ModuleDb(Kind kind, std::string where, std::unique_ptr<Impl> impl)
    : kind_(kind), where_(std::move(where)), impl_(std::move(impl)) {}
ModuleDb::~ModuleDb() = default;

core::Result<std::unique_ptr<ModuleDb>> ModuleDb::Open(const std::string& where) {
    auto impl = std::make_unique<Impl>();
    if (IsPostgresUrl(where)) {
        BEACON_TRY(conn, pg::Connection::Open(where));
        impl->pg = std::move(conn);
        return std::unique_ptr<ModuleDb>(
            new ModuleDb(Kind::kPostgres, pg::RedactUrl(where), std::move(impl)));
    }
    impl->lite = std::make_unique<sqlite::Connection>();
    if (sqlite3_open_v2(where.c_str(), &impl->lite->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string why = impl->lite->db ? sqlite3_errmsg(impl->lite->db) : "out of memory";
        return Error::Unavailable("cannot open " + where + ": " + why, false);
    }
    sqlite3_busy_timeout(impl->lite->db, 5000);
    BEACON_CHECK(sqlite::ExecSetUp(impl->lite->db,
                                   "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                                   "PRAGMA foreign_keys = ON;"));
    return std::unique_ptr<ModuleDb>(new ModuleDb(Kind::kSqlite, where, std::move(impl)));
}

core::Status ModuleDb::Exec(std::string_view sql) {
    std::lock_guard lock(mu_);
    if (impl_->pg) return impl_->pg->Exec(sql);
    return sqlite::Exec(impl_->lite->db, sql);
}

core::Result<Table> ModuleDb::Query(std::string_view sql, const Args& args) {
    std::lock_guard lock(mu_);
    Table out;
    if (impl_->pg) {
        pg::Params p;
        for (const auto& v : args.values()) {
            switch (v.type) {
                case Args::Type::kNull: p.AddNull(); break;
                case Args::Type::kInt: p.Add(v.i); break;
                case Args::Type::kDouble: p.Add(v.d); break;
                case Args::Type::kText: p.Add(v.text); break;
            }
        }
        BEACON_TRY(rows, impl_->pg->Query(Numbered(sql), p));
        out.affected_ = rows.affected();
        out.rows_.reserve(static_cast<std::size_t>(rows.size()));
        for (int r = 0; r < rows.size(); ++r) {
            auto& row = out.rows_.emplace_back();
            for (int c = 0; c < rows.columns(); ++c) {
                if (rows.IsNull(r, c)) {
                    row.emplace_back(std::nullopt);
                } else {
                    row.emplace_back(rows.Text(r, c));
                }
            }
        }
        return out;
    }
    sqlite3* db = impl_->lite->db;
    sqlite3_stmt* st = nullptr;
    if (auto it = impl_->lite->statements.find(std::string(sql));
        it != impl_->lite->statements.end()) {
        st = it->second;
    } else if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &st, nullptr) == SQLITE_OK) {
        impl_->lite->statements.emplace(std::string(sql), st);
    } else {
        return Error::Internal("database: cannot prepare statement: " +
                               std::string(sqlite3_errmsg(db)));
    }
    struct Reset {
        sqlite3_stmt* st;
        ~Reset() {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
        }
    } reset{st};
    int i = 0;
    for (const auto& v : args.values()) {
        ++i;
        switch (v.type) {
            case Args::Type::kNull: sqlite3_bind_null(st, i); break;
            case Args::Type::kInt: sqlite3_bind_int64(st, i, v.i); break;
            case Args::Type::kDouble: sqlite3_bind_double(st, i, v.d); break;
            case Args::Type::kText:
                sqlite3_bind_text(st, i, v.text.data(), static_cast<int>(v.text.size()),
                                  SQLITE_TRANSIENT);
                break;
        }
    }
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const int n = sqlite3_data_count(st);
        auto& r = out.rows_.emplace_back();
        r.reserve(static_cast<std::size_t>(n));
        for (int c = 0; c < n; ++c) {
            if (sqlite3_column_type(st, c) == SQLITE_NULL) {
                r.emplace_back(std::nullopt);
            } else {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
                r.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(st, c))));
            }
        }
    }
    if (rc != SQLITE_DONE) return LiteError(db);
    out.affected_ = sqlite3_changes(impl_->lite->db);
    return out;
}

core::Status ModuleDb::Migrate(std::string_view module, std::span<const std::string_view> sqlite_steps,
                               std::span<const std::string_view> postgres_steps) {
    if (sqlite_steps.size() != postgres_steps.size()) {
        return Error::Internal(std::string(module) + ": the SQLite and PostgreSQL migration lists "
                               "differ in length");
    }
    const auto count = static_cast<std::int64_t>(sqlite_steps.size());
    auto newer = [&](std::int64_t version) {
        return Error::Unavailable(std::string(module) + " tables in " + where_ + " are at version " +
                                      std::to_string(version) + ", newer than this beacon (" +
                                      std::to_string(count) + "); upgrade beacon",
                                  false);
    };
    if (!postgres()) {
        // One write transaction (BEGIN IMMEDIATE) from reading the version to setting it: two
        // processes opening the same file at once migrate it once.
        return Transaction([&]() -> core::Status {
            BEACON_TRY(v, Query("PRAGMA user_version"));
            const std::int64_t version = v.empty() ? 0 : v.Int(0, 0);
            if (version > count) return newer(version);
            if (version == count) return {};
            for (std::int64_t i = version; i < count; ++i) {
                auto st = Exec(sqlite_steps[static_cast<std::size_t>(i)]);
                if (!st.ok()) {
                    return Error::Internal(std::string(module) + " migration " +
                                           std::to_string(i + 1) + " failed: " + st.error().message);
                }
            }
            return Exec("PRAGMA user_version = " + std::to_string(count));
        });
    }
    return Transaction([&]() -> core::Status {
        // A server and its workers may start at once: one migrates, the others wait here and
        // then find the tables current.
        BEACON_CHECK(Query("SELECT pg_advisory_xact_lock(?)", Args().Add(kModuleMigrationLock)));
        BEACON_CHECK(Exec("CREATE TABLE IF NOT EXISTS module_schema (module TEXT PRIMARY KEY, "
                          "version INTEGER NOT NULL)"));
        BEACON_TRY(v, Query("SELECT version FROM module_schema WHERE module = ?",
                            Args().Add(module)));
        const std::int64_t version = v.empty() ? 0 : v.Int(0, 0);
        if (version > count) return newer(version);
        for (std::int64_t i = version; i < count; ++i) {
            auto st = Exec(postgres_steps[static_cast<std::size_t>(i)]);
            if (!st.ok()) {
                return Error::Internal(std::string(module) + " migration " + std::to_string(i + 1) +
                                       " failed: " + st.error().message);
            }
        }
        BEACON_CHECK(Query("INSERT INTO module_schema (module, version) VALUES (?, ?) ON CONFLICT "
                           "(module) DO UPDATE SET version = excluded.version",
                           Args().Add(module).Add(count)));
        return {};
    });
}

}  // namespace beacon::storage
