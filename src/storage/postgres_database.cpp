// PostgreSQL backend: the connection pool, migrations under an advisory lock and opening;
// each area lives in its own file (postgres_accounts.cpp, postgres_jobs.cpp,
// postgres_library.cpp, postgres_channels.cpp).
#include "storage/postgres_backend.hpp"

namespace beacon::storage {
namespace postgres_backend {

core::Status PostgresDatabase::Connect(const std::string& url, int count) {
    for (int i = 0; i < count; ++i) {
        BEACON_TRY(c, pg::Connection::Open(url));
        pool_.push_back(std::move(c));
    }
    return {};
}

core::Status PostgresDatabase::Migrate() {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    const auto& migrations = PostgresMigrations();
    BEACON_CHECK(pg::InTransaction(conn, [&]() -> core::Status {
        // Several processes (a server and its workers) may start at once: one migrates,
        // the others wait here and then find the schema current.
        BEACON_CHECK(conn.Query("SELECT pg_advisory_xact_lock($1)", Params().Add(kMigrationLock)));
        BEACON_CHECK(
            conn.Exec("CREATE TABLE IF NOT EXISTS beacon_schema(version INTEGER NOT NULL)"));
        BEACON_TRY(v, conn.Query("SELECT version FROM beacon_schema"));
        std::int64_t version = 0;
        if (v.empty()) {
            BEACON_CHECK(conn.Exec("INSERT INTO beacon_schema(version) VALUES(0)"));
        } else {
            version = v.Int(0, 0);
        }
        if (version > static_cast<std::int64_t>(migrations.size())) {
            return Error::Internal("database: schema version " + std::to_string(version) +
                                   " is newer than this beacon (" +
                                   std::to_string(migrations.size()) + "); upgrade beacon");
        }
        for (std::size_t i = static_cast<std::size_t>(version); i < migrations.size(); ++i) {
            auto st = conn.Exec(migrations[i]);
            if (!st.ok()) {
                return Error::Internal("migration " + std::to_string(i + 1) +
                                       " failed: " + st.error().message);
            }
        }
        BEACON_CHECK(conn.Query("UPDATE beacon_schema SET version = $1",
                                Params().Add(static_cast<std::int64_t>(migrations.size()))));
        return {};
    }));
    BEACON_TRY(swept, pg::InTransaction(conn, [&] { return SweepAbandonedLocked(conn); }));
    (void)swept;
    return {};
}

std::string PostgresDatabase::TextArray(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const auto& s : items) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (char c : s) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

pg::Connection& PostgresDatabase::Pick() {
    const std::size_t n = pool_.size();
    const std::size_t start = next_.fetch_add(1) % n;
    for (std::size_t i = 0; i < n; ++i) {
        auto& c = *pool_[(start + i) % n];
        if (c.mu.try_lock()) return c;
    }
    auto& c = *pool_[start];
    c.mu.lock();
    return c;
}

}  // namespace postgres_backend

bool IsPostgresUrl(const std::string& url) {
    return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int connections) {
    if (!IsPostgresUrl(url)) {
        return Error::Invalid("database url must start with postgresql:// (got '" +
                              pg::RedactUrl(url) + "')");
    }
    auto db = std::make_unique<postgres_backend::PostgresDatabase>();
    BEACON_CHECK(db->Connect(url, std::max(1, connections)));
    BEACON_CHECK(db->Migrate());
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace beacon::storage
