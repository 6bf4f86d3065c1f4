#pragma once
/// Media bytes. Keys are made by Beacon (never from user input): lowercase [a-z0-9/._-] without
/// "..". Writes are atomic: a reader sees the whole object or nothing.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace beacon::storage {

class ObjectStore {
public:
    virtual ~ObjectStore() = default;
    /// Writes bytes under key atomically (temp file + rename).
    virtual core::Status Put(std::string_view key, std::string_view bytes) = 0;
    /// Moves a finished local file into the store under key (atomic rename when possible).
    virtual core::Status PutFile(std::string_view key, const std::filesystem::path& file) = 0;
    virtual core::Result<std::string> Get(std::string_view key) = 0;
    /// Up to `length` bytes from `offset` (fewer at the end, none past it): a ranged GET on
    /// remote stores. The default reads the whole object.
    virtual core::Result<std::string> GetRange(std::string_view key, std::int64_t offset,
                                               std::int64_t length);
    virtual bool Exists(std::string_view key) = 0;
    virtual core::Result<std::int64_t> Size(std::string_view key) = 0;
    /// Deletes one key or every key under a prefix ending in '/'.
    virtual core::Status Delete(std::string_view key_or_prefix) = 0;
    /// A local path for the key when the store is on this machine (for ffmpeg and sendfile);
    /// empty for remote stores.
    virtual std::filesystem::path LocalPath(std::string_view key) = 0;
};

/// True when key is a store key Beacon could have made (see above).
bool IsValidKey(std::string_view key);

/// The object store on a local directory (created if needed). S3: storage/s3_store.hpp.
core::Result<std::unique_ptr<ObjectStore>> OpenFilesystemStore(const std::filesystem::path& root);

}  // namespace beacon::storage
