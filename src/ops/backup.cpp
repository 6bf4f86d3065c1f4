#include "ops/backup.hpp"

#include <sodium.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <span>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "core/hash.hpp"
#include "core/model.hpp"
#include "core/subprocess.hpp"
#include "storage/module_db.hpp"
#include "storage/postgres.hpp"

namespace beacon::ops {

namespace fs = std::filesystem;
using core::Json;

namespace {

constexpr std::string_view kPrefix = "beacon-backup-";

/// The SQLite files of the data folder, relative to it: the studio's (required), the wiki
/// facts' (src/wiki), Verse's worlds (src/verse), the Arcade's catalogue (src/arcade), the
/// remote workers' registry (src/remote) and the dashboard's history (src/ops/history). Parties
/// live in memory only and have nothing to back up.
constexpr const char* kDatabases[] = {"beacon.db",        "wiki.db",   "verse.db",
                                      "arcade/arcade.db", "remote.db", "ops_history.db"};
/// Folders copied file by file: the object store (Verse assets included) and the Arcade's
/// extracted games (its staging folder is scratch and left out).
constexpr const char* kTrees[] = {"media", "arcade/games"};
/// The PostgreSQL database in a backup (pg_dump's custom format).
constexpr const char* kPgDump = "database.pgdump";

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

/// Copies src to dst (creating folders) and returns the SHA-256 of the bytes written.
core::Result<std::string> CopyHashed(const fs::path& src, const fs::path& dst,
                                     std::int64_t* bytes) {
    std::error_code ec;
    fs::create_directories(dst.parent_path(), ec);
    std::ifstream in(src, std::ios::binary);
    if (!in) return core::Error::NotFound("cannot read " + src.string());
    std::ofstream out(dst, std::ios::binary | std::ios::trunc);
    if (!out) return core::Error::Unavailable("cannot write " + dst.string(), false);
    core::Sha256Stream sha;
    std::vector<char> buf(1 << 20);
    std::int64_t total = 0;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        auto n = in.gcount();
        if (n <= 0) break;
        sha.Update(buf.data(), static_cast<std::size_t>(n));
        out.write(buf.data(), n);
        total += n;
    }
    out.flush();
    if (!out)
        return core::Error::Unavailable("cannot write " + dst.string() + " (disk full?)", false);
    if (bytes) *bytes = total;
    return sha.FinishHex();
}

std::string Stamp(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    std::ostringstream s;
    s << std::put_time(&tm, "%Y%m%dT%H%M%SZ");
    return s.str();
}

core::Status BackupDatabase(const fs::path& from, const fs::path& to) {
    sqlite3* src = nullptr;
    sqlite3* dst = nullptr;
    auto close = [&] {
        if (src) sqlite3_close(src);
        if (dst) sqlite3_close(dst);
    };
    if (sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        close();
        return core::Error::NotFound("cannot open the database " + from.string());
    }
    sqlite3_busy_timeout(src, 5000);
    if (sqlite3_open_v2(to.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        close();
        return core::Error::Unavailable("cannot create " + to.string(), false);
    }
    sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        std::string msg = sqlite3_errmsg(dst);
        close();
        return core::Error::Internal("database backup: " + msg);
    }
    int rc = SQLITE_OK;
    // All pages in one step: the copy is one consistent snapshot (a read transaction), while
    // writers beside it carry on in the WAL.
    do {
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    std::string msg = sqlite3_errmsg(dst);
    close();
    if (rc != SQLITE_DONE) return core::Error::Internal("database backup failed: " + msg);
    return {};
}

bool SafeRelative(const std::string& p) {
    if (p.empty() || p.front() == '/' || p.find('\\') != std::string::npos) return false;
    for (const auto& part : fs::path(p)) {
        if (part == ".." || part == ".") return false;
    }
    return true;
}

core::Result<Json> ReadManifest(const fs::path& dir) {
    std::ifstream in(dir / "manifest.json");
    if (!in) {
        return core::Error::NotFound(dir.string() +
                                     " has no manifest.json (not a backup, or an unfinished one)");
    }
    Json m = Json::parse(in, nullptr, false);
    if (m.is_discarded() || !m.is_object() || m.value("format", "") != "beacon-backup" ||
        !m.contains("files") || !m["files"].is_array()) {
        return core::Error::Invalid(dir.string() +
                                    "/manifest.json is not a Beacon backup manifest");
    }
    return m;
}

/// The PostgreSQL dump a manifest names ("postgres_dump", version 3), or "".
std::string ManifestPgDump(const Json& m) {
    auto it = m.find("postgres_dump");
    if (it == m.end() || !it->is_string() || !SafeRelative(it->get<std::string>())) return {};
    return it->get<std::string>();
}

/// The SQLite databases a manifest names ("databases", version 2), or beacon.db alone (version
/// 1); none required beside a PostgreSQL dump.
std::vector<std::string> ManifestDatabases(const Json& m) {
    std::vector<std::string> out;
    if (m.contains("databases") && m["databases"].is_array()) {
        for (const auto& d : m["databases"]) {
            if (d.is_string() && SafeRelative(d.get<std::string>()))
                out.push_back(d.get<std::string>());
        }
    }
    if (ManifestPgDump(m).empty() && std::find(out.begin(), out.end(), "beacon.db") == out.end()) {
        out.emplace_back("beacon.db");
    }
    return out;
}

/// What an earlier backup recorded of one file of the trees.
struct PreviousFile {
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::string sha256;
};

/// The newest complete backup in `parent` other than `self` (by its time-stamped name), with
/// the tree files whose manifest entry carries a modification time. None: an empty path.
std::pair<fs::path, std::unordered_map<std::string, PreviousFile>> PreviousBackup(
    const fs::path& parent, const fs::path& self) {
    std::error_code ec;
    std::vector<fs::path> found;
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.rfind(kPrefix, 0) != 0 || it->path() == self) continue;
        std::error_code fec;
        if (fs::is_regular_file(it->path() / "manifest.json", fec)) found.push_back(it->path());
    }
    std::sort(found.begin(), found.end());
    for (auto d = found.rbegin(); d != found.rend(); ++d) {
        auto m = ReadManifest(*d);
        if (!m.ok()) continue;
        std::unordered_map<std::string, PreviousFile> files;
        for (const auto& f : (*m)["files"]) {
            if (!f.is_object() || !f.contains("mtime_ns")) continue;
            const auto path = f.value("path", "");
            if (!SafeRelative(path)) continue;
            files[path] = {f.value("size", std::int64_t{-1}), f.value("mtime_ns", std::int64_t{0}),
                           f.value("sha256", "")};
        }
        return {*d, std::move(files)};
    }
    return {};
}

std::int64_t MtimeNs(const fs::path& f, std::error_code& ec) {
    auto t = fs::last_write_time(f, ec);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

core::Result<std::string> FileSha256(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return core::Error::NotFound("cannot read " + file.string());
    core::Sha256Stream sha;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        auto n = in.gcount();
        if (n <= 0) break;
        sha.Update(buf.data(), static_cast<std::size_t>(n));
    }
    return sha.FinishHex();
}

core::Result<BackupSummary> CreateBackup(const fs::path& data_dir, const fs::path& parent,
                                         const BackupOptions& options) {
    if (sodium_init() < 0) return core::Error::Internal("libsodium failed to start");
    std::error_code ec;
    const bool postgres = !options.database_url.empty();
    if (!postgres && !fs::exists(data_dir / "beacon.db", ec)) {
        return core::Error::NotFound("no database in " + data_dir.string());
    }
    fs::create_directories(parent, ec);
    if (ec)
        return core::Error::Unavailable("cannot create " + parent.string() + ": " + ec.message(),
                                        false);
    std::string name = std::string(kPrefix) + Stamp(std::chrono::system_clock::now());
    fs::path dir = parent / name;
    for (int n = 2; fs::exists(dir, ec); ++n) dir = parent / (name + "-" + std::to_string(n));
    fs::create_directory(dir, ec);
    if (ec)
        return core::Error::Unavailable("cannot create " + dir.string() + ": " + ec.message(),
                                        false);
    fs::permissions(dir, fs::perms::owner_all, ec);

    BackupSummary sum;
    sum.dir = dir;
    Json files = Json::array();
    auto fail = [&](core::Error e) -> core::Result<BackupSummary> {
        fs::remove_all(dir, ec);
        return e;
    };
    auto add = [&](const std::string& rel, const std::string& hash, std::int64_t size) {
        files.push_back({{"path", rel}, {"size", size}, {"sha256", hash}});
        ++sum.files;
        sum.bytes += size;
    };
    // 1. Every module's database, each as one snapshot through the online backup API (the
    //    modules keep them open in WAL mode: a plain copy would miss what sits in the WAL).
    Json databases = Json::array();
    if (postgres) {
        // The database is PostgreSQL's (the SQLite files of the folder, if any, are not in use).
        if (auto st = DumpPostgres(options, dir / kPgDump, parent); !st.ok())
            return fail(st.error());
        auto hash = FileSha256(dir / kPgDump);
        if (!hash.ok()) return fail(hash.error());
        add(kPgDump, *hash, static_cast<std::int64_t>(fs::file_size(dir / kPgDump, ec)));
    }
    for (const char* rel :
         postgres ? std::span<const char* const>() : std::span<const char* const>(kDatabases)) {
        if (rel != std::string_view("beacon.db") && !fs::exists(data_dir / rel, ec)) continue;
        fs::create_directories((dir / rel).parent_path(), ec);
        if (auto st = BackupDatabase(data_dir / rel, dir / rel); !st.ok()) return fail(st.error());
        auto hash = FileSha256(dir / rel);
        if (!hash.ok()) return fail(hash.error());
        add(rel, *hash, static_cast<std::int64_t>(fs::file_size(dir / rel, ec)));
        databases.push_back(rel);
    }
    // 2. The encrypted secrets (never the key).
    if (fs::exists(data_dir / "secrets.json", ec)) {
        std::int64_t size = 0;
        auto hash = CopyHashed(data_dir / "secrets.json", dir / "secrets.json", &size);
        if (!hash.ok()) return fail(hash.error());
        add("secrets.json", *hash, size);
    }
    // 3. File trees: media objects (library, jobs, Verse assets under media/verse/assets) and
    //    the Arcade's extracted games. Both are written by rename, so every file is whole; one
    //    deleted while we copy is skipped (its row went with it, or goes soon).
    auto earlier =
        options.full ? decltype(PreviousBackup(parent, dir)){} : PreviousBackup(parent, dir);
    const fs::path& base = earlier.first;
    const auto& previous = earlier.second;
    // Links to the earlier backup when a file is unchanged since it; false: copy it.
    auto link_unchanged = [&](const fs::path& f, const std::string& rel, std::int64_t mtime) {
        auto p = previous.find(rel);
        if (p == previous.end() || p->second.mtime_ns != mtime || p->second.sha256.size() != 64)
            return false;
        std::error_code lec;
        const auto size = static_cast<std::int64_t>(fs::file_size(f, lec));
        if (lec || size != p->second.size) return false;
        const fs::path old = base / rel;
        if (static_cast<std::int64_t>(fs::file_size(old, lec)) != size || lec) return false;
        fs::create_directories((dir / rel).parent_path(), lec);
        fs::create_hard_link(old, dir / rel, lec);
        if (lec) return false;
        files.push_back(
            {{"path", rel}, {"size", size}, {"sha256", p->second.sha256}, {"mtime_ns", mtime}});
        ++sum.files;
        sum.bytes += size;
        ++sum.linked_files;
        sum.linked_bytes += size;
        return true;
    };
    for (const char* tree : kTrees) {
        fs::path root = data_dir / tree;
        if (!fs::exists(root, ec)) continue;
        std::vector<fs::path> todo;
        for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end;
             it.increment(ec)) {
            std::error_code fec;
            if (!it->is_regular_file(fec)) continue;
            if (it->path().filename().string().find(".tmp-") != std::string::npos) continue;
            todo.push_back(it->path());
        }
        std::sort(todo.begin(), todo.end());
        for (const auto& f : todo) {
            std::string rel = fs::relative(f, data_dir, ec).generic_string();
            std::error_code mec;
            const std::int64_t mtime = MtimeNs(f, mec);
            if (mec) continue;  // deleted meanwhile
            if (link_unchanged(f, rel, mtime)) continue;
            std::int64_t size = 0;
            auto hash = CopyHashed(f, dir / rel, &size);
            if (!hash.ok()) {
                if (!fs::exists(f, ec)) continue;  // deleted meanwhile
                return fail(hash.error());
            }
            // The time read before the copy: a file rewritten during the copy is copied again
            // by the next backup rather than linked with a hash of other bytes.
            add(rel, *hash, size);
            files.back()["mtime_ns"] = mtime;
        }
    }
    // 4. The manifest, last and atomically.
    Json manifest = {{"format", "beacon-backup"},
                     {"version", postgres ? 3 : 2},
                     {"databases", databases},
                     {"created_at", core::NowMillis()},
                     {"source", fs::absolute(data_dir).lexically_normal().string()},
                     {"files", files}};
    if (sum.linked_files > 0) {
        manifest["linked_from"] = base.filename().string();
        sum.base = base;
    }
    if (postgres) {
        manifest["postgres_dump"] = kPgDump;
        manifest["postgres_source"] = storage::pg::RedactUrl(options.database_url);
    }
    {
        std::ofstream out(dir / "manifest.json.tmp");
        out << manifest.dump(1) << "\n";
        if (!out) return fail(core::Error::Unavailable("cannot write the manifest", false));
    }
    fs::rename(dir / "manifest.json.tmp", dir / "manifest.json", ec);
    if (ec)
        return fail(core::Error::Unavailable("cannot write the manifest: " + ec.message(), false));
    return sum;
}

core::Result<BackupSummary> VerifyBackup(const fs::path& dir) {
    if (sodium_init() < 0) return core::Error::Internal("libsodium failed to start");
    BEACON_TRY(m, ReadManifest(dir));
    BackupSummary sum;
    sum.dir = dir;
    std::vector<std::string> listed;
    for (const auto& f : m["files"]) {
        std::string rel = f.value("path", "");
        std::string want = f.value("sha256", "");
        std::int64_t size = f.value("size", std::int64_t{-1});
        if (!SafeRelative(rel))
            return core::Error::Invalid("manifest names a path outside the backup: " + rel);
        listed.push_back(rel);
        std::error_code ec;
        auto actual_size = fs::file_size(dir / rel, ec);
        if (ec) return core::Error::Invalid("backup file missing: " + rel);
        if (static_cast<std::int64_t>(actual_size) != size) {
            return core::Error::Invalid("backup file " + rel + " has " +
                                        std::to_string(actual_size) + " bytes, the manifest says " +
                                        std::to_string(size));
        }
        BEACON_TRY(hash, FileSha256(dir / rel));
        if (hash != want)
            return core::Error::Invalid("backup file " + rel +
                                        " does not match its SHA-256 in the manifest");
        ++sum.files;
        sum.bytes += size;
    }
    auto required = ManifestDatabases(m);
    if (auto dump = ManifestPgDump(m); !dump.empty()) required.push_back(dump);
    for (const auto& db : required) {
        if (std::find(listed.begin(), listed.end(), db) == listed.end()) {
            return core::Error::Invalid("the manifest lists no " + db);
        }
    }
    return sum;
}

core::Result<BackupSummary> RestoreBackup(const fs::path& backup_dir, const fs::path& data_dir_in,
                                          bool force, const BackupOptions& options) {
    BEACON_TRY(verified, VerifyBackup(backup_dir));
    BEACON_TRY(m, ReadManifest(backup_dir));
    const std::string dump = ManifestPgDump(m);
    if (!dump.empty() && options.database_url.empty()) {
        return core::Error::Invalid(
            "this backup holds a PostgreSQL database: set [database] url "
            "(BEACON_DATABASE_URL) to a new, empty database to restore it into");
    }
    if (dump.empty() && !options.database_url.empty()) {
        return core::Error::Invalid(
            "this backup holds SQLite databases: restore it without "
            "[database] url, then move it with `beacon migrate`");
    }
    if (!dump.empty()) {
        BEACON_TRY(empty, PostgresIsEmpty(options.database_url));
        if (!empty) {
            return core::Error::Conflict(
                "the database " + storage::pg::RedactUrl(options.database_url) +
                " has tables: restore into a new, empty database (createdb)");
        }
    }
    std::error_code ec;
    fs::path data_dir = fs::absolute(data_dir_in).lexically_normal();
    if (data_dir.filename().empty()) data_dir = data_dir.parent_path();
    bool occupied = fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec);
    if (occupied && !force) {
        return core::Error::Conflict(data_dir.string() +
                                     " is not empty; restore into a new folder, or add --force "
                                     "(the current folder is then kept beside it)");
    }
    fs::create_directories(data_dir.parent_path(), ec);
    std::string stamp = Stamp(std::chrono::system_clock::now());
    fs::path staging =
        data_dir.parent_path() / ("." + data_dir.filename().string() + ".restoring-" + stamp);
    fs::remove_all(staging, ec);
    fs::create_directories(staging, ec);
    if (ec)
        return core::Error::Unavailable("cannot create " + staging.string() + ": " + ec.message(),
                                        false);
    fs::permissions(staging, fs::perms::owner_all, ec);
    auto fail = [&](core::Error e) -> core::Result<BackupSummary> {
        fs::remove_all(staging, ec);
        e.message = "restore failed, " + data_dir.string() + " left as it was: " + e.message;
        return e;
    };
    for (const auto& f : m["files"]) {
        std::string rel = f.value("path", "");
        auto hash = CopyHashed(backup_dir / rel, staging / rel, nullptr);
        if (!hash.ok()) return fail(hash.error());
        if (*hash != f.value("sha256", "")) {
            return fail(core::Error::Invalid(rel + " changed while it was restored"));
        }
    }
    for (const auto& rel : ManifestDatabases(m)) {
        sqlite3* db = nullptr;
        bool ok = false;
        std::string detail;
        if (sqlite3_open_v2((staging / rel).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
            SQLITE_OK) {
            sqlite3_stmt* st = nullptr;
            if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW) {
                detail = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
                ok = detail == "ok";
            }
            sqlite3_finalize(st);
        }
        if (db) sqlite3_close(db);
        if (!ok)
            return fail(core::Error::Invalid("the restored " + rel +
                                             " fails its integrity check: " + detail));
    }
    if (!dump.empty()) {
        // All or nothing: one transaction, stopped at the first error (nothing is left behind).
        auto target = PgTarget::From(options.database_url, staging);
        if (!target.ok()) return fail(target.error());
        core::RunOptions run;
        run.timeout = std::chrono::hours(6);
        auto out = core::RunProcess(
            {PgTool(options, "pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner",
             "--no-privileges", "--dbname=" + target->url(), (staging / dump).string()},
            run);
        if (!out.ok())
            return fail(core::Error::External("pg_restore failed: " + out.error().message));
        fs::remove(staging / dump, ec);  // the database is PostgreSQL's, not the folder's
    }
    if (fs::exists(data_dir, ec)) {
        fs::path old = data_dir;
        old += ".before-restore-" + stamp;
        if (occupied) {
            fs::rename(data_dir, old, ec);
        } else {
            fs::remove(data_dir, ec);  // an empty folder
        }
        if (ec)
            return fail(core::Error::Unavailable(
                "cannot move " + data_dir.string() + " aside: " + ec.message(), false));
    }
    fs::rename(staging, data_dir, ec);
    if (ec)
        return fail(core::Error::Unavailable(
            "cannot move the restored folder into place: " + ec.message(), false));
    verified.dir = data_dir;
    return verified;
}

std::vector<fs::path> PruneBackups(const fs::path& parent, int keep_days,
                                   std::chrono::system_clock::time_point now) {
    std::vector<std::pair<std::string, fs::path>> found;
    std::error_code ec;
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (!name.starts_with(kPrefix) || !it->is_directory()) continue;
        found.emplace_back(name.substr(kPrefix.size(), 16), it->path());
    }
    std::sort(found.begin(), found.end());
    std::vector<fs::path> removed;
    if (found.size() <= 1) return removed;
    std::string cutoff = Stamp(now - std::chrono::hours(24) * keep_days);
    for (std::size_t i = 0; i + 1 < found.size(); ++i) {
        if (found[i].first < cutoff) {
            fs::remove_all(found[i].second, ec);
            if (!ec) removed.push_back(found[i].second);
        }
    }
    return removed;
}

}  // namespace beacon::ops
