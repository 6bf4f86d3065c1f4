#pragma once
/// A thin RAII layer over libpq: one connection with its prepared-statement cache, text-format
/// parameters and result rows. Used only by postgres_database.cpp.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"

struct pg_conn;
struct pg_result;

namespace beacon::storage::pg {

/// Positional parameters ($1, $2, ...) in PostgreSQL's text format; nullopt is SQL NULL.
class Params {
public:
    Params& Add(std::int64_t v);
    Params& Add(int v) { return Add(static_cast<std::int64_t>(v)); }
    Params& Add(double v);
    Params& Add(bool v);
    Params& Add(std::string_view v);
    Params& Add(const std::string& v) { return Add(std::string_view(v)); }
    Params& Add(const char* v) { return Add(std::string_view(v)); }
    Params& Add(std::optional<std::int64_t> v);
    Params& AddNull();
    const std::vector<std::optional<std::string>>& values() const { return values_; }

private:
    std::vector<std::optional<std::string>> values_;
};

/// The rows (or the row count) of one statement. Owns the libpq result.
class Rows {
public:
    Rows() = default;
    explicit Rows(pg_result* r);
    Rows(Rows&& o) noexcept;
    Rows& operator=(Rows&& o) noexcept;
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;
    ~Rows();

    int size() const;
    int columns() const;
    bool empty() const { return size() == 0; }
    /// Rows changed by INSERT/UPDATE/DELETE.
    std::int64_t affected() const;
    std::int64_t Int(int row, int col) const;
    double Double(int row, int col) const;
    bool Bool(int row, int col) const;
    std::string Text(int row, int col) const;
    bool IsNull(int row, int col) const;
    std::optional<std::int64_t> OptInt(int row, int col) const;

private:
    pg_result* r_ = nullptr;
};

/// One connection. Not thread-safe: callers hold `mu` while using it.
class Connection {
public:
    static core::Result<std::unique_ptr<Connection>> Open(const std::string& url);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Runs one statement with parameters (prepared once per connection and reused).
    core::Result<Rows> Query(std::string_view sql, const Params& params = {});
    /// Runs SQL text without parameters (may hold several statements).
    core::Status Exec(std::string_view sql);

    std::mutex mu;

private:
    explicit Connection(pg_conn* c) : conn_(c) {}
    /// After a failure: when the server connection is gone, reconnect (prepared statements are
    /// gone with it) so that the next call works again.
    void ResetIfBroken();
    core::Error ErrorFrom(pg_result* r, std::string_view what);

    pg_conn* conn_;
    std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

/// Runs `f` (returning a Status or Result) inside BEGIN ... COMMIT: all of its writes land, or
/// none (ROLLBACK on any error, the COMMIT's included).
template <class F>
auto InTransaction(Connection& conn, F&& f) -> decltype(f()) {
    BEACON_CHECK(conn.Exec("BEGIN"));
    auto result = f();
    if (!result.ok()) {
        (void)conn.Exec("ROLLBACK");
        return result;
    }
    if (auto committed = conn.Exec("COMMIT"); !committed.ok()) {
        (void)conn.Exec("ROLLBACK");
        return std::move(committed).error();
    }
    return result;
}

/// The URL with any password replaced by "***" (for messages and logs).
std::string RedactUrl(std::string_view url);

}  // namespace beacon::storage::pg

namespace beacon::storage {
/// Schema migrations for PostgreSQL: migration i is SqliteMigrations()'s migration i.
const std::vector<std::string_view>& PostgresMigrations();
}  // namespace beacon::storage
