#pragma once
/// Internal to backup.cpp and backup_s3.cpp: where a backup's files go (a folder or an S3
/// prefix) and where a restore reads them from.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/model.hpp"
#include "core/result.hpp"
#include "ops/backup.hpp"
#include "storage/object_store.hpp"

namespace beacon::ops::detail {

inline constexpr std::string_view kPrefix = "beacon-backup-";

/// What an earlier backup recorded of one file of the media or games trees.
struct PreviousFile {
    std::int64_t size = 0;
    std::int64_t mtime_ns = -1;  // a local file's modification time; -1: none recorded
    std::string etag;            // an S3 media object's ETag; "": none recorded
    std::string sha256;
    std::string object;  // S3: the object's key below the backup (see ObjectName)
};
using PreviousFiles = std::unordered_map<std::string, PreviousFile>;

/// A manifest's text parsed and its format checked; `where` names the backup in errors.
core::Result<core::Json> ParseManifest(std::string_view text, const std::string& where);

/// The files of a manifest that can be reused by the next backup (they carry mtime_ns or etag).
PreviousFiles ReusableFiles(const core::Json& manifest);

/// The manifest's problems (format, paths leaving the backup, databases not listed), or ok.
core::Status CheckManifest(const core::Json& manifest, const std::string& where);

/// Where a new backup's files go.
class BackupSink {
public:
    virtual ~BackupSink() = default;
    /// The new backup: its folder, or its s3:// URL.
    virtual std::string Where() const = 0;
    /// A local file to write `rel`'s bytes into; Commit(rel) then publishes them.
    virtual std::filesystem::path Stage(const std::string& rel) = 0;
    virtual core::Status Commit(const std::string& rel) = 0;
    /// Copies a live file of the data folder under `rel`; the SHA-256 of the bytes stored.
    virtual core::Result<std::string> CopyFile(const std::string& rel,
                                               const std::filesystem::path& src,
                                               std::int64_t* size) = 0;
    /// Reuses the previous backup's copy of `rel` (a hard link, or a server-side copy); false
    /// when that is not possible (the file is then copied).
    virtual bool Reuse(const std::string& rel, const PreviousFile& previous) = 0;
    /// Writes the manifest last: the backup is complete from then on.
    virtual core::Status Finish(const core::Json& manifest) = 0;
    /// Removes everything written so far.
    virtual void Abort() = 0;
};

/// Where a restore reads a backup from.
class BackupSource {
public:
    virtual ~BackupSource() = default;
    virtual std::string Where() const = 0;
    virtual core::Result<core::Json> Manifest() = 0;
    /// Copies the file of manifest entry `entry` into `dst`; the SHA-256 of the bytes written.
    virtual core::Result<std::string> Fetch(const core::Json& entry,
                                            const std::filesystem::path& dst) = 0;
};

/// Writes the backup of `data_dir` into `sink`, reusing unchanged tree files of `previous`.
core::Result<BackupSummary> WriteBackup(const std::filesystem::path& data_dir, BackupSink& sink,
                                        const PreviousFiles& previous, const BackupOptions& options,
                                        const std::filesystem::path& scratch);

/// Restores from `source` into `data_dir` (see RestoreBackup).
core::Result<BackupSummary> RestoreFrom(BackupSource& source, const std::filesystem::path& data_dir,
                                        bool force, const BackupOptions& options);

/// Copies src to dst (creating folders); the SHA-256 of the bytes written.
core::Result<std::string> CopyHashed(const std::filesystem::path& src,
                                     const std::filesystem::path& dst, std::int64_t* bytes);

/// "YYYYMMDDTHHMMSSZ" (UTC).
std::string Stamp(std::chrono::system_clock::time_point t);

/// The object key of a backup file below the backup's prefix: its path when that is a valid
/// store key (lowercase [a-z0-9/._-]), else "other/<sha256 of the path>".
std::string ObjectName(const std::string& rel);

/// Downloads `key` of `store` into `dst` in ranged pieces (bounded memory); the SHA-256 of the
/// bytes written and their count in *bytes.
core::Result<std::string> DownloadHashed(storage::ObjectStore& store, const std::string& key,
                                         const std::filesystem::path& dst, std::int64_t* bytes);

// PostgreSQL (backup_postgres.cpp).
/// pg_dump of the whole database (one snapshot; every module's tables) into `file`; the URL's
/// password goes through a passfile (0600) in `scratch`, never on the command line.
core::Status DumpPostgres(const BackupOptions& o, const std::filesystem::path& file,
                          const std::filesystem::path& scratch);
/// True when the database has no table of its own yet (a new database made with createdb).
core::Result<bool> PostgresIsEmpty(const std::string& url);
/// pg_restore of `dump` into the database in one transaction, stopped at the first error.
core::Status RestorePostgres(const BackupOptions& o, const std::filesystem::path& dump,
                             const std::filesystem::path& scratch);

// S3 (backup_s3.cpp).
core::Result<BackupSummary> CreateS3Backup(const std::filesystem::path& data_dir,
                                           const std::string& url, const BackupOptions& options);
core::Result<BackupSummary> VerifyS3Backup(const std::string& url, const BackupOptions& options);
core::Result<BackupSummary> RestoreS3Backup(const std::string& url,
                                            const std::filesystem::path& data_dir, bool force,
                                            const BackupOptions& options);

}  // namespace beacon::ops::detail
