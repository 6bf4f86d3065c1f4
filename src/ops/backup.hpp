#pragma once
/// Backups of a data folder: a consistent copy of every module's database (beacon.db, wiki.db,
/// verse.db, arcade/arcade.db; SQLite online backup API, safe while `beacon serve` runs), then
/// the media objects (Verse assets included), the Arcade's games and the encrypted secrets, with
/// a manifest of SHA-256 hashes written last (a folder without manifest.json is incomplete).
/// The secret key file is never copied: keep it apart (it alone decrypts secrets.json).
/// On PostgreSQL ([database] url) the database (every module's tables) goes into the backup as
/// one pg_dump archive in custom format, database.pgdump, taken in one snapshot; a restore runs
/// pg_restore into an empty database in one transaction.
///
/// A destination or source may also be an S3 URL, s3://bucket/prefix: the backup's files become
/// the objects prefix/beacon-backup-<stamp>/<path> (the same layout as a backup folder, so a
/// copy fetched with any S3 client is a backup folder). Media unchanged since the previous
/// backup under the same prefix are copied server-side (CopyObject), not uploaded again, and
/// every backup stays whole on its own (pruning one leaves the others restorable).
/// A studio whose media live in S3 (options.media_s3) has them read through the bucket into the
/// backup, and put back into the bucket by a restore.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "storage/s3_store.hpp"

namespace beacon::ops {

struct BackupOptions {
    /// The studio's PostgreSQL database (postgresql://...): CreateBackup dumps it, RestoreBackup
    /// restores into it (it must exist and be empty). Empty: the data folder's SQLite files.
    std::string database_url;
    /// The folder of pg_dump and pg_restore; empty: $BEACON_PG_BIN, then PATH, then the newest
    /// /usr/lib/postgresql/<version>/bin.
    std::filesystem::path pg_bin;
    /// Copy every file even when the newest earlier backup in the same parent folder holds it
    /// unchanged (by default such a file is hard-linked from there: incremental media).
    bool full = false;
    /// The S3 service of s3:// destinations and sources (endpoint, region, keys, path_style;
    /// the bucket and prefix come from the URL). Never logged.
    storage::S3Options s3;
    /// The studio's media bucket ([storage] s3_endpoint) when its endpoint is set: CreateBackup
    /// reads the media through it (the data folder's media/ is then only a cache and is left
    /// out) and RestoreBackup puts them back into it (it must be empty unless `force`).
    storage::S3Options media_s3;
};

/// True for "s3://bucket[/prefix]".
bool IsS3Url(std::string_view where);

struct BackupSummary {
    std::filesystem::path dir;  // the backup folder
    std::int64_t files = 0;
    std::int64_t bytes = 0;
    /// Files (and their bytes) hard-linked from the previous backup instead of copied (on S3:
    /// copied server-side from it instead of uploaded).
    std::int64_t linked_files = 0;
    std::int64_t linked_bytes = 0;
    /// The earlier backup they were linked from; empty when none was used.
    std::filesystem::path base;
};

/// Writes a new folder `<parent>/beacon-backup-YYYYMMDDTHHMMSSZ` (a "-N" suffix when taken).
/// Incremental for media: a file of the media or games trees whose size and modification time
/// equal its entry in the newest complete earlier backup of `parent` (whose own copy still has
/// that size) is hard-linked from there with the hash that manifest recorded, as rsync's
/// --link-dest does; every backup stays a whole, independent folder (removing one leaves the
/// others intact). A link that fails (another file system) falls back to a copy.
/// `parent` may be s3://bucket/prefix (see above): the summary's dir is then the backup's URL.
core::Result<BackupSummary> CreateBackup(const std::filesystem::path& data_dir,
                                         const std::filesystem::path& parent,
                                         const BackupOptions& options = {});

/// Checks a backup: every file of the manifest present with its size and SHA-256, no path
/// leaving the folder. Returns the manifest's file count and bytes. An s3:// backup is read
/// through options.s3 (every object downloaded and hashed, nothing kept).
core::Result<BackupSummary> VerifyBackup(const std::filesystem::path& backup_dir,
                                         const BackupOptions& options = {});

/// Restores a verified backup into `data_dir`. Refuses a data folder that exists and is not
/// empty unless `force` (then the old folder is kept beside it as `<name>.before-restore-<time>`).
/// Files are copied into a staging folder beside `data_dir`, re-hashed, each database is
/// checked (PRAGMA integrity_check) and only then renamed into place: a failed restore leaves
/// the target as it was. A backup of a PostgreSQL studio needs options.database_url: an existing,
/// empty database (anything else is refused before a file moves); pg_restore runs into it in one
/// transaction before the folder is moved into place, so a failure leaves both as they were.
/// `backup_dir` may be s3://bucket/prefix/beacon-backup-... or s3://bucket/prefix (its newest
/// complete backup); each object is hashed as it arrives and compared with the manifest.
/// With options.media_s3 the media go into that bucket (after everything else was verified;
/// a failed upload deletes what it put there) instead of the folder's media/.
core::Result<BackupSummary> RestoreBackup(const std::filesystem::path& backup_dir,
                                          const std::filesystem::path& data_dir, bool force,
                                          const BackupOptions& options = {});

/// Removes `beacon-backup-*` folders in `parent` whose time stamp is older than `keep_days`
/// days before `now` (keeps the newest one in any case). Returns the removed folders.
std::vector<std::filesystem::path> PruneBackups(const std::filesystem::path& parent, int keep_days,
                                                std::chrono::system_clock::time_point now);

/// PruneBackups for s3://bucket/prefix: deletes every object of each backup older than
/// `keep_days` (keeps the newest complete one in any case). Returns the removed backups' URLs.
core::Result<std::vector<std::string>> PruneS3Backups(const std::string& url, int keep_days,
                                                      std::chrono::system_clock::time_point now,
                                                      const BackupOptions& options);

/// The lowercase hex SHA-256 of a file.
core::Result<std::string> FileSha256(const std::filesystem::path& file);

}  // namespace beacon::ops
