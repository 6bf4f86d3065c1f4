#pragma once
/// A thin RAII layer over the SQLite C API: a connection and prepared statements with typed binds.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/result.hpp"

namespace beacon::storage::sqlite {

/// A connection with its prepared-statement cache. Callers hold `mu` while using it.
struct Connection {
    sqlite3* db = nullptr;
    std::mutex mu;
    std::unordered_map<std::string, sqlite3_stmt*> statements;
    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();  // finalizes the statements, closes the connection
};

class Statement {
public:
    /// Prepares `sql` once per connection and reuses it (reset when this Statement ends).
    Statement(Connection& conn, std::string_view sql);
    /// Prepares `sql` for this use only.
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    bool valid() const { return stmt_ != nullptr; }
    const std::string& prepare_error() const { return prepare_error_; }
    Statement& Bind(int i, std::int64_t v);
    Statement& Bind(int i, int v) { return Bind(i, static_cast<std::int64_t>(v)); }
    Statement& Bind(int i, double v);
    Statement& Bind(int i, bool v) { return Bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
    Statement& Bind(int i, std::string_view v);
    Statement& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
    Statement& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
    Statement& BindNull(int i);
    Statement& Bind(int i, std::optional<std::int64_t> v) { return v ? Bind(i, *v) : BindNull(i); }
    /// Steps once: true when a row is available, false when done; error on failure.
    core::Result<bool> Step();
    /// Steps to completion (for statements without rows).
    core::Status Run();
    std::int64_t Int(int col) const;
    double Double(int col) const;
    std::string Text(int col) const;
    bool IsNull(int col) const;
    std::optional<std::int64_t> OptInt(int col) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    bool cached_ = false;
    std::string prepare_error_;
};

/// Runs SQL without results (may hold several statements).
core::Status Exec(sqlite3* db, std::string_view sql);

/// Runs a new connection's set-up statements (journal mode, pragmas; they must be safe to run
/// again), trying again while the file is busy, for up to `patience`. Switching a file to WAL
/// can answer SQLITE_BUSY at once, without the busy handler, while other connections open the
/// same file: four connections opening one new file together failed about once in a hundred
/// starts on two busy cores.
core::Status ExecSetUp(sqlite3* db, std::string_view sql,
                       std::chrono::milliseconds patience = std::chrono::seconds(5));

}  // namespace beacon::storage::sqlite
