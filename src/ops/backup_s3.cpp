// Backups to and from an S3 bucket: s3://bucket/prefix/beacon-backup-<stamp>/<path>, the same
// layout as a backup folder. Unchanged media are copied server-side from the previous backup.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

#include "core/hash.hpp"
#include "ops/backup_internal.hpp"
#include "storage/s3_store.hpp"

namespace beacon::ops {

namespace fs = std::filesystem;
using core::Json;

namespace detail {
namespace {

/// CopyObject's limit; larger files are uploaded again.
constexpr std::int64_t kMaxCopyBytes = std::int64_t{5} << 30;

struct S3Location {
    std::string bucket;
    std::string prefix;  // without a trailing '/'; "" = the bucket's top
};

core::Result<S3Location> ParseS3Url(const std::string& url) {
    std::string rest = url.substr(std::string_view("s3://").size());
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    const auto slash = rest.find('/');
    S3Location l;
    l.bucket = rest.substr(0, slash);
    if (slash != std::string::npos) l.prefix = rest.substr(slash + 1);
    if (l.bucket.empty())
        return core::Error::Invalid("no bucket in " + url + " (s3://bucket/prefix)");
    if (!l.prefix.empty() && !storage::IsValidKey(l.prefix)) {
        return core::Error::Invalid("the prefix of " + url +
                                    " must be lowercase letters, digits and / . _ -");
    }
    return l;
}

std::string Join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "/" + b; }

std::string Url(const S3Location& l, const std::string& key) {
    return "s3://" + l.bucket + "/" + Join(l.prefix, key);
}

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

core::Result<std::unique_ptr<storage::ObjectStore>> OpenBucket(const BackupOptions& o,
                                                               const std::string& bucket) {
    if (o.s3.endpoint.empty()) {
        return core::Error::Invalid(
            "no S3 service for s3:// backups: set [backup] s3_endpoint and its keys (or "
            "[storage] s3_endpoint, whose service is then used)");
    }
    storage::S3Options s = o.s3;
    s.bucket = bucket;
    return storage::OpenS3Store(s);
}

/// The backups under `prefix` by name, oldest first; complete_only: those with a manifest.
core::Result<std::vector<std::string>> ListBackups(storage::ObjectStore& store,
                                                   const std::string& prefix, bool complete_only) {
    const std::string under = prefix.empty() ? "" : prefix + "/";
    BEACON_TRY(objects, storage::ListS3Objects(store, under));
    std::set<std::string> names;
    for (const auto& o : objects) {
        const std::string rest = o.key.substr(under.size());
        const auto slash = rest.find('/');
        if (slash == std::string::npos) continue;
        const std::string name = rest.substr(0, slash);
        if (!name.starts_with(kPrefix)) continue;
        if (complete_only && rest.substr(slash + 1) != "manifest.json") continue;
        names.insert(name);
    }
    return std::vector<std::string>(names.begin(), names.end());
}

/// A new backup in the bucket: databases staged in a scratch folder and uploaded, live files
/// uploaded as they are, unchanged media copied server-side, the manifest last.
class S3Sink final : public BackupSink {
public:
    S3Sink(storage::ObjectStore& store, std::string url, std::string root, std::string base_root,
           fs::path scratch)
        : store_(store),
          url_(std::move(url)),
          root_(std::move(root)),
          base_root_(std::move(base_root)),
          scratch_(std::move(scratch)) {}
    std::string Where() const override { return url_; }
    fs::path Stage(const std::string& rel) override {
        std::error_code ec;
        fs::create_directories((scratch_ / rel).parent_path(), ec);
        return scratch_ / rel;
    }
    core::Status Commit(const std::string& rel) override {
        auto st = store_.PutFile(Join(root_, ObjectName(rel)), scratch_ / rel);
        std::error_code ec;
        fs::remove(scratch_ / rel, ec);
        return st;
    }
    core::Result<std::string> CopyFile(const std::string& rel, const fs::path& src,
                                       std::int64_t* size) override {
        std::error_code ec;
        const auto before = fs::last_write_time(src, ec);
        if (ec) return core::Error::NotFound("cannot read " + src.string());
        BEACON_TRY(hash, FileSha256(src));
        *size = static_cast<std::int64_t>(fs::file_size(src, ec));
        BEACON_CHECK(store_.PutFile(Join(root_, ObjectName(rel)), src));
        if (fs::last_write_time(src, ec) == before && !ec) return hash;
        // Rewritten while it went up: a private copy is hashed and sent instead.
        BEACON_TRY(again, CopyHashed(src, Stage(rel), size));
        BEACON_CHECK(Commit(rel));
        return again;
    }
    bool Reuse(const std::string& rel, const PreviousFile& previous) override {
        if (base_root_.empty() || previous.size > kMaxCopyBytes) return false;
        return storage::CopyS3Object(store_, Join(base_root_, previous.object),
                                     Join(root_, ObjectName(rel)))
            .ok();
    }
    core::Status Finish(const Json& manifest) override {
        return store_.Put(Join(root_, "manifest.json"), manifest.dump(1) + "\n");
    }
    void Abort() override { (void)store_.Delete(root_ + "/"); }

private:
    storage::ObjectStore& store_;
    std::string url_;
    std::string root_;       // prefix/beacon-backup-...
    std::string base_root_;  // the previous backup's; "" = none
    fs::path scratch_;
};

/// A backup in the bucket, read object by object.
class S3Source final : public BackupSource {
public:
    S3Source(storage::ObjectStore& store, std::string url, std::string root)
        : store_(store), url_(std::move(url)), root_(std::move(root)) {}
    std::string Where() const override { return url_; }
    core::Result<Json> Manifest() override {
        auto text = store_.Get(Join(root_, "manifest.json"));
        if (!text.ok()) {
            if (text.error().code == core::ErrorCode::kNotFound) {
                return core::Error::NotFound(
                    url_ + " has no manifest.json (not a backup, or an unfinished one)");
            }
            return text.error();
        }
        return ParseManifest(*text, url_);
    }
    core::Result<std::string> Fetch(const Json& entry, const fs::path& dst) override {
        const std::string rel = entry.value("path", "");
        const std::string key = Join(root_, entry.value("object", rel));
        auto hash = DownloadHashed(store_, key, dst, nullptr);
        if (!hash.ok() && hash.error().code == core::ErrorCode::kNotFound) {
            return core::Error::Invalid("backup file missing: " + rel + " (no object " + key + ")");
        }
        return hash;
    }

private:
    storage::ObjectStore& store_;
    std::string url_;
    std::string root_;
};

/// The backup a URL names: s3://bucket/prefix/beacon-backup-... itself, or the newest complete
/// one under s3://bucket/prefix. Returns its key prefix.
core::Result<std::string> ResolveBackup(storage::ObjectStore& store, const S3Location& l,
                                        const std::string& url) {
    const auto last = l.prefix.rfind('/');
    const std::string tail = last == std::string::npos ? l.prefix : l.prefix.substr(last + 1);
    if (tail.starts_with(kPrefix)) return l.prefix;
    BEACON_TRY(names, ListBackups(store, l.prefix, true));
    if (names.empty()) return core::Error::NotFound("no complete backup under " + url);
    return Join(l.prefix, names.back());
}

}  // namespace

std::string ObjectName(const std::string& rel) {
    return storage::IsValidKey(rel) ? rel : "other/" + core::Sha256Hex(rel);
}

core::Result<std::string> DownloadHashed(storage::ObjectStore& store, const std::string& key,
                                         const fs::path& dst, std::int64_t* bytes) {
    constexpr std::int64_t kPiece = std::int64_t{16} << 20;
    std::error_code ec;
    fs::create_directories(dst.parent_path(), ec);
    std::ofstream out(dst, std::ios::binary | std::ios::trunc);
    if (!out) return core::Error::Unavailable("cannot write " + dst.string(), false);
    core::Sha256Stream sha;
    std::int64_t total = 0;
    for (;;) {
        BEACON_TRY(piece, store.GetRange(key, total, kPiece));
        sha.Update(piece.data(), piece.size());
        out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
        total += static_cast<std::int64_t>(piece.size());
        if (static_cast<std::int64_t>(piece.size()) < kPiece) break;
    }
    if (total == 0 && !store.Exists(key)) return core::Error::NotFound("object not found: " + key);
    out.flush();
    if (!out)
        return core::Error::Unavailable("cannot write " + dst.string() + " (disk full?)", false);
    if (bytes) *bytes = total;
    return sha.FinishHex();
}

core::Result<BackupSummary> CreateS3Backup(const fs::path& data_dir, const std::string& url,
                                           const BackupOptions& options) {
    BEACON_TRY(loc, ParseS3Url(url));
    BEACON_TRY(store, OpenBucket(options, loc.bucket));
    BEACON_TRY(existing, ListBackups(*store, loc.prefix, false));
    const std::string stamped =
        std::string(kPrefix) + Lower(Stamp(std::chrono::system_clock::now()));
    std::string name = stamped;
    for (int n = 2; std::find(existing.begin(), existing.end(), name) != existing.end(); ++n) {
        name = stamped + "-" + std::to_string(n);
    }
    // Incremental: the newest complete backup's unchanged media are copied server-side.
    PreviousFiles previous;
    std::string base;
    if (!options.full) {
        BEACON_TRY(complete, ListBackups(*store, loc.prefix, true));
        for (auto it = complete.rbegin(); it != complete.rend(); ++it) {
            auto text = store->Get(Join(Join(loc.prefix, *it), "manifest.json"));
            if (!text.ok()) continue;
            auto m = ParseManifest(*text, Url(loc, *it));
            if (!m.ok()) continue;
            previous = ReusableFiles(*m);
            base = *it;
            break;
        }
    }
    // Databases are snapshotted here before they go up (beside the data, on its file system).
    std::error_code ec;
    const fs::path scratch = data_dir / (".backup-staging-" + name);
    fs::remove_all(scratch, ec);
    fs::create_directories(scratch, ec);
    if (ec) {
        return core::Error::Unavailable("cannot create " + scratch.string() + ": " + ec.message(),
                                        false);
    }
    fs::permissions(scratch, fs::perms::owner_all, ec);
    S3Sink sink(*store, Url(loc, name), Join(loc.prefix, name),
                base.empty() ? "" : Join(loc.prefix, base), scratch);
    auto sum = WriteBackup(data_dir, sink, previous, options, scratch);
    fs::remove_all(scratch, ec);
    if (!sum.ok()) return sum.error();
    sum->dir = Url(loc, name);
    if (sum->linked_files > 0) sum->base = Url(loc, base);
    return sum;
}

core::Result<BackupSummary> VerifyS3Backup(const std::string& url, const BackupOptions& options) {
    BEACON_TRY(loc, ParseS3Url(url));
    BEACON_TRY(store, OpenBucket(options, loc.bucket));
    BEACON_TRY(root, ResolveBackup(*store, loc, url));
    const std::string where = "s3://" + loc.bucket + "/" + root;
    S3Source source(*store, where, root);
    BEACON_TRY(m, source.Manifest());
    BEACON_CHECK(CheckManifest(m, where));
    std::error_code ec;
    const fs::path scratch =
        fs::temp_directory_path() / ("beacon-verify-" + std::to_string(::getpid()));
    fs::remove_all(scratch, ec);
    BackupSummary sum;
    sum.dir = where;
    core::Status result;
    for (const auto& f : m["files"]) {
        const std::string rel = f.value("path", "");
        const std::int64_t size = f.value("size", std::int64_t{-1});
        auto hash = source.Fetch(f, scratch / "file");
        if (!hash.ok()) {
            result = hash.error();
            break;
        }
        const auto got = static_cast<std::int64_t>(fs::file_size(scratch / "file", ec));
        if (got != size) {
            result = core::Error::Invalid("backup file " + rel + " has " + std::to_string(got) +
                                          " bytes, the manifest says " + std::to_string(size));
            break;
        }
        if (*hash != f.value("sha256", "")) {
            result = core::Error::Invalid("backup file " + rel +
                                          " does not match its SHA-256 in the manifest");
            break;
        }
        ++sum.files;
        sum.bytes += size;
    }
    fs::remove_all(scratch, ec);
    if (!result.ok()) return result.error();
    return sum;
}

core::Result<BackupSummary> RestoreS3Backup(const std::string& url, const fs::path& data_dir,
                                            bool force, const BackupOptions& options) {
    BEACON_TRY(loc, ParseS3Url(url));
    BEACON_TRY(store, OpenBucket(options, loc.bucket));
    BEACON_TRY(root, ResolveBackup(*store, loc, url));
    // Each object is hashed as it arrives (no second download to verify first): a mismatch
    // stops the restore with nothing moved into place.
    S3Source source(*store, "s3://" + loc.bucket + "/" + root, root);
    return RestoreFrom(source, data_dir, force, options);
}

}  // namespace detail

core::Result<std::vector<std::string>> PruneS3Backups(const std::string& url, int keep_days,
                                                      std::chrono::system_clock::time_point now,
                                                      const BackupOptions& options) {
    BEACON_TRY(loc, detail::ParseS3Url(url));
    BEACON_TRY(store, detail::OpenBucket(options, loc.bucket));
    BEACON_TRY(all, detail::ListBackups(*store, loc.prefix, false));
    BEACON_TRY(complete, detail::ListBackups(*store, loc.prefix, true));
    std::vector<std::string> removed;
    if (complete.empty()) return removed;  // nothing is pruned before one backup is whole
    const std::string newest = complete.back();
    const std::string cutoff =
        detail::Lower(detail::Stamp(now - std::chrono::hours(24) * keep_days));
    for (const auto& name : all) {
        if (name == newest) continue;
        if (detail::Lower(name.substr(detail::kPrefix.size(), 16)) >= cutoff) continue;
        // Each backup is whole on its own (unchanged media were copied, not referenced).
        BEACON_CHECK(store->Delete(detail::Join(loc.prefix, name) + "/"));
        removed.push_back(detail::Url(loc, name));
    }
    return removed;
}

}  // namespace beacon::ops
