#pragma once
/// The database of a module's own tables (Arcade, Verse, wiki, moderation, remote workers): a
/// SQLite file of the module's own on one machine, or the studio's PostgreSQL database when the
/// studio runs on PostgreSQL, so that every `beacon serve` and worker process on that database
/// sees the same rows. A module writes its statements once, with `?` placeholders (rewritten to
/// $1, $2, ... for PostgreSQL) in the SQL both engines share (INSERT ... ON CONFLICT, RETURNING,
/// COALESCE); the few that differ are chosen with `kind()`. Thread-safe: one connection behind a
/// mutex; a Transaction holds it for its whole body.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace beacon::storage {

/// Positional arguments for the `?` placeholders, typed (SQLite compares by type).
class Args {
public:
    enum class Type { kNull, kInt, kDouble, kText };
    struct Value {
        Type type = Type::kNull;
        std::int64_t i = 0;
        double d = 0;
        std::string text;
    };
    Args& Add(std::int64_t v) { return Push({Type::kInt, v, 0, {}}); }
    Args& Add(int v) { return Add(static_cast<std::int64_t>(v)); }
    Args& Add(bool v) { return Add(static_cast<std::int64_t>(v ? 1 : 0)); }
    Args& Add(double v) { return Push({Type::kDouble, 0, v, {}}); }
    Args& Add(std::string_view v) { return Push({Type::kText, 0, 0, std::string(v)}); }
    Args& Add(const std::string& v) { return Push({Type::kText, 0, 0, v}); }
    Args& Add(const char* v) { return Add(std::string_view(v)); }
    Args& Add(std::optional<std::int64_t> v) { return v ? Add(*v) : AddNull(); }
    Args& AddNull() { return Push({}); }
    const std::vector<Value>& values() const { return values_; }

private:
    Args& Push(Value v) {
        values_.push_back(std::move(v));
        return *this;
    }
    std::vector<Value> values_;
};

/// The rows of one statement, read in full (module tables return few, small rows), and the
/// number of rows it changed.
class Table {
public:
    int size() const { return static_cast<int>(rows_.size()); }
    bool empty() const { return rows_.empty(); }
    /// Rows inserted, updated or deleted by the statement.
    std::int64_t affected() const { return affected_; }
    /// A number (booleans read as 0/1 on both engines); 0 for NULL.
    std::int64_t Int(int row, int col) const;
    double Double(int row, int col) const;
    std::string Text(int row, int col) const;
    bool IsNull(int row, int col) const;
    std::optional<std::int64_t> OptInt(int row, int col) const;

    // Filled by ModuleDb.
    std::vector<std::vector<std::optional<std::string>>> rows_;
    std::int64_t affected_ = 0;
};

class ModuleDb {
public:
    enum class Kind { kSqlite, kPostgres };

    /// "postgresql://..." or "postgres://..." opens one connection to that database; anything
    /// else is a SQLite file (created when missing, WAL mode, foreign keys on; ":memory:" works).
    static core::Result<std::unique_ptr<ModuleDb>> Open(const std::string& where);
    ~ModuleDb();
    ModuleDb(const ModuleDb&) = delete;
    ModuleDb& operator=(const ModuleDb&) = delete;

    Kind kind() const { return kind_; }
    bool postgres() const { return kind_ == Kind::kPostgres; }

    /// Brings module `module`'s tables to the newest version. Migration i of `sqlite_steps` and of
    /// `postgres_steps` are the same change in each dialect (the lists must be equally long). SQLite
    /// counts applied versions in the file's PRAGMA user_version (the file is the module's own);
    /// PostgreSQL in the table module_schema(module, version), migrating in one transaction under
    /// an advisory lock, so processes starting together migrate once. Refuses a newer schema.
    core::Status Migrate(std::string_view module, std::span<const std::string_view> sqlite_steps,
                         std::span<const std::string_view> postgres_steps);

    /// Runs one statement; `?` are its placeholders.
    core::Result<Table> Query(std::string_view sql, const Args& args = {});
    /// Runs SQL text without arguments (may hold several statements).
    core::Status Exec(std::string_view sql);

    /// Runs `f` (returning a Status or Result) inside one transaction holding this handle: all
    /// of its writes land, or none. Not reentrant.
    template <class F>
    auto Transaction(F&& f) -> decltype(f()) {
        std::lock_guard lock(mu_);
        BEACON_CHECK(Exec(postgres() ? "BEGIN" : "BEGIN IMMEDIATE"));
        auto result = f();
        if (!result.ok()) {
            (void)Exec("ROLLBACK");
            return result;
        }
        if (auto committed = Exec("COMMIT"); !committed.ok()) {
            (void)Exec("ROLLBACK");
            return std::move(committed).error();
        }
        return result;
    }

    /// Where it points, with any password hidden (for messages).
    const std::string& where() const { return where_; }

private:
    struct Impl;
    ModuleDb(Kind kind, std::string where, std::unique_ptr<Impl> impl);

    Kind kind_;
    std::string where_;
    std::unique_ptr<Impl> impl_;
    std::recursive_mutex mu_;  // one statement (or transaction) at a time on the connection
};

/// True for a postgresql:// or postgres:// URL.
bool IsPostgresUrl(std::string_view url);

/// Where a module keeps its tables: the studio's PostgreSQL database when `database_url` (the
/// `[database] url`) is set, else its own SQLite file.
inline std::string ModuleDbLocation(const std::string& database_url,
                                    const std::string& sqlite_file) {
    return database_url.empty() ? sqlite_file : database_url;
}

}  // namespace beacon::storage
