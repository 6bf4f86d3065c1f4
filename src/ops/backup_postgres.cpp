// The PostgreSQL part of backups: pg_dump into a backup, pg_restore out of one.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/subprocess.hpp"
#include "ops/backup_internal.hpp"
#include "storage/module_db.hpp"
#include "storage/postgres.hpp"

namespace beacon::ops::detail {

namespace fs = std::filesystem;

namespace {

/// pg_dump or pg_restore: from options.pg_bin, $BEACON_PG_BIN, PATH, or the newest
/// /usr/lib/postgresql/<version>/bin (Debian keeps them there; /usr/bin has wrappers only when
/// postgresql-client-common is installed).
std::string PgTool(const BackupOptions& o, const std::string& name) {
    if (!o.pg_bin.empty()) return (o.pg_bin / name).string();
    if (const char* env = std::getenv("BEACON_PG_BIN"); env && *env)
        return (fs::path(env) / name).string();
    if (const char* path = std::getenv("PATH")) {
        std::stringstream dirs(path);
        for (std::string d; std::getline(dirs, d, ':');) {
            if (!d.empty() && ::access((fs::path(d) / name).c_str(), X_OK) == 0)
                return (fs::path(d) / name).string();
        }
    }
    std::error_code ec;
    int best = -1;
    fs::path found;
    for (fs::directory_iterator it("/usr/lib/postgresql", ec), end; !ec && it != end;
         it.increment(ec)) {
        int v = std::atoi(it->path().filename().c_str());
        if (v > best && ::access((it->path() / "bin" / name).c_str(), X_OK) == 0) {
            best = v;
            found = it->path() / "bin" / name;
        }
    }
    return found.empty() ? name : found.string();
}

std::string PercentDecode(std::string_view s) {
    auto hex = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

/// The database URL for pg_dump/pg_restore's command line without its password: the password
/// goes into a passfile (mode 0600, removed when this goes) named in the URL, so it never shows
/// in the process list.
class PgTarget {
public:
    static core::Result<PgTarget> From(const std::string& url, const fs::path& scratch_dir) {
        if (!storage::IsPostgresUrl(url))
            return core::Error::Invalid("not a postgresql:// URL: " + storage::pg::RedactUrl(url));
        PgTarget t;
        t.url_ = url;
        const auto scheme = url.find("://") + 3;
        const auto at = url.find('@', scheme);
        const auto slash = url.find('/', scheme);
        if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
            const auto colon = url.find(':', scheme);
            if (colon != std::string::npos && colon < at) {
                std::string password =
                    PercentDecode(std::string_view(url).substr(colon + 1, at - colon - 1));
                t.url_ = url.substr(0, colon) + url.substr(at);
                std::string escaped;
                for (char c : password) {
                    if (c == ':' || c == '\\') escaped += '\\';
                    escaped += c;
                }
                t.passfile_ = scratch_dir / (".pgpass-" + std::to_string(::getpid()));
                {
                    std::ofstream out(t.passfile_, std::ios::trunc);
                    fs::permissions(t.passfile_, fs::perms::owner_read | fs::perms::owner_write);
                    out << "*:*:*:*:" << escaped << "\n";
                    if (!out)
                        return core::Error::Unavailable("cannot write " + t.passfile_.string(),
                                                        false);
                }
                t.url_ += (t.url_.find('?') == std::string::npos ? "?" : "&");
                t.url_ += "passfile=" + t.passfile_.string();
            }
        }
        return t;
    }
    PgTarget() = default;
    PgTarget(PgTarget&& o) noexcept : url_(std::move(o.url_)), passfile_(std::move(o.passfile_)) {
        o.passfile_.clear();
    }
    PgTarget& operator=(PgTarget&&) = delete;
    PgTarget(const PgTarget&) = delete;
    ~PgTarget() {
        std::error_code ec;
        if (!passfile_.empty()) fs::remove(passfile_, ec);
    }
    const std::string& url() const { return url_; }

private:
    std::string url_;
    fs::path passfile_;
};

}  // namespace

/// pg_dump of the whole database (one snapshot; every module's tables are in it) to `file`.
core::Status DumpPostgres(const BackupOptions& o, const fs::path& file, const fs::path& scratch) {
    BEACON_TRY(target, PgTarget::From(o.database_url, scratch));
    core::RunOptions run;
    run.timeout = std::chrono::hours(6);
    auto out =
        core::RunProcess({PgTool(o, "pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                          "--file=" + file.string(), "--dbname=" + target.url()},
                         run);
    if (!out.ok()) return core::Error::External("pg_dump failed: " + out.error().message);
    return {};
}

/// True when the database has no table of its own yet (a new database made with createdb).
core::Result<bool> PostgresIsEmpty(const std::string& url) {
    BEACON_TRY(conn, storage::pg::Connection::Open(url));
    BEACON_TRY(
        n, conn->Query("SELECT COUNT(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                       "ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','v','m','S') AND "
                       "n.nspname NOT IN ('pg_catalog','information_schema') AND "
                       "n.nspname NOT LIKE 'pg_toast%'"));
    return n.Int(0, 0) == 0;
}

core::Status RestorePostgres(const BackupOptions& o, const fs::path& dump,
                             const fs::path& scratch) {
    BEACON_TRY(target, PgTarget::From(o.database_url, scratch));
    core::RunOptions run;
    run.timeout = std::chrono::hours(6);
    auto out = core::RunProcess(
        {PgTool(o, "pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner",
         "--no-privileges", "--dbname=" + target.url(), dump.string()},
        run);
    if (!out.ok()) return core::Error::External("pg_restore failed: " + out.error().message);
    return {};
}

}  // namespace beacon::ops::detail
