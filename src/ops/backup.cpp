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
#include "ops/backup_internal.hpp"
#include "storage/module_db.hpp"
#include "storage/postgres.hpp"

namespace beacon::ops {

namespace fs = std::filesystem;
using core::Json;

namespace {

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
    std::stringstream text;
    text << in.rdbuf();
    return detail::ParseManifest(text.str(), dir.string());
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

/// The newest complete backup in `parent` other than `self` (by its time-stamped name), with
/// its reusable tree files. None: an empty path.
std::pair<fs::path, detail::PreviousFiles> PreviousBackup(const fs::path& parent,
                                                          const fs::path& self) {
    std::error_code ec;
    std::vector<fs::path> found;
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.rfind(detail::kPrefix, 0) != 0 || it->path() == self) continue;
        std::error_code fec;
        if (fs::is_regular_file(it->path() / "manifest.json", fec)) found.push_back(it->path());
    }
    std::sort(found.begin(), found.end());
    for (auto d = found.rbegin(); d != found.rend(); ++d) {
        auto m = ReadManifest(*d);
        if (!m.ok()) continue;
        return {*d, detail::ReusableFiles(*m)};
    }
    return {};
}

std::int64_t MtimeNs(const fs::path& f, std::error_code& ec) {
    auto t = fs::last_write_time(f, ec);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

/// A new backup folder: files copied or hard-linked into it, the manifest written last.
class FolderSink final : public detail::BackupSink {
public:
    FolderSink(fs::path dir, fs::path base) : dir_(std::move(dir)), base_(std::move(base)) {}
    std::string Where() const override { return dir_.string(); }
    fs::path Stage(const std::string& rel) override {
        std::error_code ec;
        fs::create_directories((dir_ / rel).parent_path(), ec);
        return dir_ / rel;
    }
    core::Status Commit(const std::string&) override { return {}; }
    core::Result<std::string> CopyFile(const std::string& rel, const fs::path& src,
                                       std::int64_t* size) override {
        return detail::CopyHashed(src, dir_ / rel, size);
    }
    bool Reuse(const std::string& rel, const detail::PreviousFile& previous) override {
        if (base_.empty()) return false;
        std::error_code ec;
        const fs::path old = base_ / rel;
        if (static_cast<std::int64_t>(fs::file_size(old, ec)) != previous.size || ec) return false;
        fs::create_directories((dir_ / rel).parent_path(), ec);
        fs::create_hard_link(old, dir_ / rel, ec);
        return !ec;
    }
    core::Status Finish(const Json& manifest) override {
        {
            std::ofstream out(dir_ / "manifest.json.tmp");
            out << manifest.dump(1) << "\n";
            if (!out) return core::Error::Unavailable("cannot write the manifest", false);
        }
        std::error_code ec;
        fs::rename(dir_ / "manifest.json.tmp", dir_ / "manifest.json", ec);
        if (ec)
            return core::Error::Unavailable("cannot write the manifest: " + ec.message(), false);
        return {};
    }
    void Abort() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

private:
    fs::path dir_;
    fs::path base_;
};

/// A backup folder on this machine.
class FolderSource final : public detail::BackupSource {
public:
    explicit FolderSource(fs::path dir) : dir_(std::move(dir)) {}
    std::string Where() const override { return dir_.string(); }
    core::Result<Json> Manifest() override { return ReadManifest(dir_); }
    core::Result<std::string> Fetch(const Json& entry, const fs::path& dst) override {
        return detail::CopyHashed(dir_ / entry.value("path", ""), dst, nullptr);
    }

private:
    fs::path dir_;
};

}  // namespace

namespace detail {

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

core::Result<Json> ParseManifest(std::string_view text, const std::string& where) {
    Json m = Json::parse(text, nullptr, false);
    if (m.is_discarded() || !m.is_object() || m.value("format", "") != "beacon-backup" ||
        !m.contains("files") || !m["files"].is_array()) {
        return core::Error::Invalid(where + "/manifest.json is not a Beacon backup manifest");
    }
    return m;
}

PreviousFiles ReusableFiles(const Json& manifest) {
    PreviousFiles files;
    if (!manifest.contains("files") || !manifest["files"].is_array()) return files;
    for (const auto& f : manifest["files"]) {
        if (!f.is_object() || !(f.contains("mtime_ns") || f.contains("etag"))) continue;
        const auto path = f.value("path", "");
        if (!SafeRelative(path)) continue;
        PreviousFile p;
        p.size = f.value("size", std::int64_t{-1});
        p.mtime_ns = f.value("mtime_ns", std::int64_t{-1});
        p.etag = f.value("etag", "");
        p.sha256 = f.value("sha256", "");
        p.object = f.value("object", path);
        if (p.sha256.size() == 64) files[path] = std::move(p);
    }
    return files;
}

core::Status CheckManifest(const Json& m, const std::string& where) {
    std::vector<std::string> listed;
    for (const auto& f : m["files"]) {
        if (!f.is_object())
            return core::Error::Invalid(where + ": a manifest entry is not an object");
        std::string rel = f.value("path", "");
        if (!SafeRelative(rel))
            return core::Error::Invalid("manifest names a path outside the backup: " + rel);
        if (f.contains("object") &&
            (!f["object"].is_string() || !storage::IsValidKey(f["object"].get<std::string>())))
            return core::Error::Invalid("manifest names an invalid object for " + rel);
        listed.push_back(rel);
    }
    auto required = ManifestDatabases(m);
    if (auto dump = ManifestPgDump(m); !dump.empty()) required.push_back(dump);
    for (const auto& db : required) {
        if (std::find(listed.begin(), listed.end(), db) == listed.end()) {
            return core::Error::Invalid("the manifest lists no " + db);
        }
    }
    return {};
}

core::Result<BackupSummary> WriteBackup(const fs::path& data_dir, BackupSink& sink,
                                        const PreviousFiles& previous, const BackupOptions& options,
                                        const fs::path& scratch) {
    std::error_code ec;
    const bool postgres = !options.database_url.empty();
    const bool media_in_s3 = !options.media_s3.endpoint.empty();
    BackupSummary sum;
    Json files = Json::array();
    auto fail = [&](core::Error e) -> core::Result<BackupSummary> {
        sink.Abort();
        return e;
    };
    auto add = [&](const std::string& rel, const std::string& hash, std::int64_t size) {
        Json entry = {{"path", rel}, {"size", size}, {"sha256", hash}};
        if (auto object = ObjectName(rel); object != rel) entry["object"] = object;
        files.push_back(std::move(entry));
        ++sum.files;
        sum.bytes += size;
    };
    auto reuse = [&](const std::string& rel, const PreviousFile& p) {
        if (!sink.Reuse(rel, p)) return false;
        add(rel, p.sha256, p.size);
        ++sum.linked_files;
        sum.linked_bytes += p.size;
        return true;
    };
    // Publishes a file written at sink.Stage(rel).
    auto commit_staged = [&](const std::string& rel) -> core::Result<std::string> {
        const fs::path staged = sink.Stage(rel);
        BEACON_TRY(hash, FileSha256(staged));
        const auto size = static_cast<std::int64_t>(fs::file_size(staged, ec));
        BEACON_CHECK(sink.Commit(rel));
        add(rel, hash, size);
        return hash;
    };
    // 1. Every module's database, each as one snapshot through the online backup API (the
    //    modules keep them open in WAL mode: a plain copy would miss what sits in the WAL).
    Json databases = Json::array();
    if (postgres) {
        // The database is PostgreSQL's (the SQLite files of the folder, if any, are not in use).
        if (auto st = DumpPostgres(options, sink.Stage(kPgDump), scratch); !st.ok())
            return fail(st.error());
        if (auto st = commit_staged(kPgDump); !st.ok()) return fail(st.error());
    }
    for (const char* rel :
         postgres ? std::span<const char* const>() : std::span<const char* const>(kDatabases)) {
        if (rel != std::string_view("beacon.db") && !fs::exists(data_dir / rel, ec)) continue;
        if (auto st = BackupDatabase(data_dir / rel, sink.Stage(rel)); !st.ok())
            return fail(st.error());
        if (auto st = commit_staged(rel); !st.ok()) return fail(st.error());
        databases.push_back(rel);
    }
    // 2. The encrypted secrets (never the key).
    if (fs::exists(data_dir / "secrets.json", ec)) {
        std::int64_t size = 0;
        auto hash = sink.CopyFile("secrets.json", data_dir / "secrets.json", &size);
        if (!hash.ok()) return fail(hash.error());
        add("secrets.json", *hash, size);
    }
    // 3. Media objects held in S3 ([storage] s3_endpoint): read through the bucket, as
    //    media/<key> like the folder's; unchanged ones (same ETag and size) reused.
    if (media_in_s3) {
        auto store = storage::OpenS3Store(options.media_s3);
        if (!store.ok()) return fail(store.error());
        auto objects = storage::ListS3Objects(**store, "");
        if (!objects.ok()) return fail(objects.error());
        for (const auto& o : *objects) {
            if (!storage::IsValidKey(o.key)) continue;  // not one of Beacon's objects
            const std::string rel = "media/" + o.key;
            if (auto p = previous.find(rel); p != previous.end() && !p->second.etag.empty() &&
                                             p->second.etag == o.etag && p->second.size == o.size) {
                if (reuse(rel, p->second)) {
                    files.back()["etag"] = o.etag;
                    continue;
                }
            }
            std::int64_t size = 0;
            auto hash = DownloadHashed(**store, o.key, sink.Stage(rel), &size);
            if (!hash.ok()) {
                if (hash.error().code == core::ErrorCode::kNotFound) continue;  // deleted meanwhile
                return fail(hash.error());
            }
            if (auto st = sink.Commit(rel); !st.ok()) return fail(st.error());
            add(rel, *hash, size);
            files.back()["etag"] = o.etag;
        }
    }
    // 4. File trees: media objects (library, jobs, Verse assets under media/verse/assets) and
    //    the Arcade's extracted games. Both are written by rename, so every file is whole; one
    //    deleted while we copy is skipped (its row went with it, or goes soon). With media in
    //    S3 the folder's media/ is only this machine's cache and is left out.
    for (const char* tree : kTrees) {
        if (media_in_s3 && tree == std::string_view("media")) continue;
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
            // Unchanged since the previous backup (size and time as it recorded): reused.
            if (auto p = previous.find(rel); p != previous.end() && p->second.mtime_ns == mtime) {
                const auto size = static_cast<std::int64_t>(fs::file_size(f, mec));
                if (!mec && size == p->second.size && reuse(rel, p->second)) {
                    files.back()["mtime_ns"] = mtime;
                    continue;
                }
            }
            std::int64_t size = 0;
            auto hash = sink.CopyFile(rel, f, &size);
            if (!hash.ok()) {
                if (!fs::exists(f, ec)) continue;  // deleted meanwhile
                return fail(hash.error());
            }
            // The time read before the copy: a file rewritten during the copy is copied again
            // by the next backup rather than reused with a hash of other bytes.
            add(rel, *hash, size);
            files.back()["mtime_ns"] = mtime;
        }
    }
    // 5. The manifest, last.
    Json manifest = {{"format", "beacon-backup"},
                     {"version", postgres ? 3 : 2},
                     {"databases", databases},
                     {"created_at", core::NowMillis()},
                     {"source", fs::absolute(data_dir).lexically_normal().string()},
                     {"files", files}};
    if (media_in_s3) manifest["media_source"] = "s3://" + options.media_s3.bucket;
    if (postgres) {
        manifest["postgres_dump"] = kPgDump;
        manifest["postgres_source"] = storage::pg::RedactUrl(options.database_url);
    }
    if (auto st = sink.Finish(manifest); !st.ok()) return fail(st.error());
    return sum;
}

core::Result<BackupSummary> RestoreFrom(BackupSource& source, const fs::path& data_dir_in,
                                        bool force, const BackupOptions& options) {
    BEACON_TRY(m, source.Manifest());
    BEACON_CHECK(CheckManifest(m, source.Where()));
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
    // Media for an S3 store: the bucket must be empty (a failed restore then deletes what it
    // put there), unless forced (objects of the same key are replaced).
    std::unique_ptr<storage::ObjectStore> media_store;
    if (!options.media_s3.endpoint.empty()) {
        BEACON_TRY(store, storage::OpenS3Store(options.media_s3));
        BEACON_TRY(present, storage::ListS3Objects(*store, ""));
        if (!present.empty() && !force) {
            return core::Error::Conflict("the media bucket " + options.media_s3.bucket + " holds " +
                                         std::to_string(present.size()) +
                                         " objects; restore into an empty bucket, or add --force "
                                         "(objects of the same name are then replaced)");
        }
        media_store = std::move(store);
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
    std::vector<std::string> uploaded;
    auto fail = [&](core::Error e) -> core::Result<BackupSummary> {
        fs::remove_all(staging, ec);
        if (media_store && !force) {
            for (const auto& key : uploaded) (void)media_store->Delete(key);
        }
        e.message = "restore failed, " + data_dir.string() + " left as it was: " + e.message;
        return e;
    };
    BackupSummary sum;
    for (const auto& f : m["files"]) {
        const std::string rel = f.value("path", "");
        const std::int64_t size = f.value("size", std::int64_t{-1});
        auto hash = source.Fetch(f, staging / rel);
        if (!hash.ok()) return fail(hash.error());
        const auto got = static_cast<std::int64_t>(fs::file_size(staging / rel, ec));
        if (got != size) {
            return fail(core::Error::Invalid("backup file " + rel + " has " + std::to_string(got) +
                                             " bytes, the manifest says " + std::to_string(size)));
        }
        if (*hash != f.value("sha256", "")) {
            return fail(core::Error::Invalid("backup file " + rel +
                                             " does not match its SHA-256 in the manifest"));
        }
        ++sum.files;
        sum.bytes += size;
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
    if (media_store) {
        // Everything verified: the media go up into the bucket (media/<key> -> <key>); the
        // folder's media/ is the store's local cache and starts empty.
        for (const auto& f : m["files"]) {
            const std::string rel = f.value("path", "");
            if (!rel.starts_with("media/")) continue;
            const std::string key = rel.substr(6);
            if (!storage::IsValidKey(key)) {
                return fail(
                    core::Error::Invalid("media file " + rel + " has no valid object store key"));
            }
            if (auto st = media_store->PutFile(key, staging / rel); !st.ok())
                return fail(st.error());
            uploaded.push_back(key);
        }
        fs::remove_all(staging / "media", ec);
    }
    if (!dump.empty()) {
        // All or nothing: one transaction, stopped at the first error (nothing is left behind).
        if (auto st = RestorePostgres(options, staging / dump, staging); !st.ok())
            return fail(st.error());
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
    sum.dir = data_dir;
    return sum;
}

}  // namespace detail

bool IsS3Url(std::string_view where) { return where.starts_with("s3://"); }

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
    if (IsS3Url(parent.string())) return detail::CreateS3Backup(data_dir, parent.string(), options);
    fs::create_directories(parent, ec);
    if (ec)
        return core::Error::Unavailable("cannot create " + parent.string() + ": " + ec.message(),
                                        false);
    std::string name =
        std::string(detail::kPrefix) + detail::Stamp(std::chrono::system_clock::now());
    fs::path dir = parent / name;
    for (int n = 2; fs::exists(dir, ec); ++n) dir = parent / (name + "-" + std::to_string(n));
    fs::create_directory(dir, ec);
    if (ec)
        return core::Error::Unavailable("cannot create " + dir.string() + ": " + ec.message(),
                                        false);
    fs::permissions(dir, fs::perms::owner_all, ec);
    // Incremental: tree files unchanged since the newest earlier backup are hard-linked.
    auto earlier =
        options.full ? decltype(PreviousBackup(parent, dir)){} : PreviousBackup(parent, dir);
    FolderSink sink(dir, earlier.first);
    BEACON_TRY(sum, detail::WriteBackup(data_dir, sink, earlier.second, options, parent));
    sum.dir = dir;
    if (sum.linked_files > 0) sum.base = earlier.first;
    return sum;
}

core::Result<BackupSummary> VerifyBackup(const fs::path& dir, const BackupOptions& options) {
    if (sodium_init() < 0) return core::Error::Internal("libsodium failed to start");
    if (IsS3Url(dir.string())) return detail::VerifyS3Backup(dir.string(), options);
    BEACON_TRY(m, ReadManifest(dir));
    BEACON_CHECK(detail::CheckManifest(m, dir.string()));
    BackupSummary sum;
    sum.dir = dir;
    for (const auto& f : m["files"]) {
        std::string rel = f.value("path", "");
        std::string want = f.value("sha256", "");
        std::int64_t size = f.value("size", std::int64_t{-1});
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
    return sum;
}

core::Result<BackupSummary> RestoreBackup(const fs::path& backup_dir, const fs::path& data_dir,
                                          bool force, const BackupOptions& options) {
    if (IsS3Url(backup_dir.string()))
        return detail::RestoreS3Backup(backup_dir.string(), data_dir, force, options);
    // Checked whole first: a damaged backup is refused before anything is written.
    BEACON_CHECK(VerifyBackup(backup_dir));
    FolderSource source(backup_dir);
    return detail::RestoreFrom(source, data_dir, force, options);
}

std::vector<fs::path> PruneBackups(const fs::path& parent, int keep_days,
                                   std::chrono::system_clock::time_point now) {
    std::vector<std::pair<std::string, fs::path>> found;
    std::error_code ec;
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (!name.starts_with(detail::kPrefix) || !it->is_directory()) continue;
        found.emplace_back(name.substr(detail::kPrefix.size(), 16), it->path());
    }
    std::sort(found.begin(), found.end());
    std::vector<fs::path> removed;
    if (found.size() <= 1) return removed;
    std::string cutoff = detail::Stamp(now - std::chrono::hours(24) * keep_days);
    for (std::size_t i = 0; i + 1 < found.size(); ++i) {
        if (found[i].first < cutoff) {
            fs::remove_all(found[i].second, ec);
            if (!ec) removed.push_back(found[i].second);
        }
    }
    return removed;
}

}  // namespace beacon::ops
