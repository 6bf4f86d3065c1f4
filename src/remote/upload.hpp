#pragma once
/// Objects that remote workers upload to the studio (`PUT /api/v1/remote/jobs/{id}/objects/...`)
/// never sit in the studio's memory: the server writes the body to a file as it arrives
/// (ExtensionRoute::spool_body_to_file, with the route's size limit, the file removed on a broken
/// upload and after the reply), then StoreUpload checks the file's SHA-256 against the worker's
/// X-Beacon-Sha256 header, reading it kUploadChunkBytes at a time, and only then hands the file
/// to the object store (which streams it to disk or S3).
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "storage/object_store.hpp"

namespace beacon::remote {

/// The most bytes of an upload the studio holds in memory at once while checking it.
inline constexpr std::size_t kUploadChunkBytes = std::size_t{1} << 20;
/// The request header carrying the upload's SHA-256 (64 lowercase hex digits).
inline constexpr std::string_view kSha256Header = "X-Beacon-Sha256";

/// SHA-256 of a file as 64 lowercase hex digits, read `chunk` bytes at a time.
core::Result<std::string> Sha256OfFile(const std::filesystem::path& file,
                                       std::size_t chunk = kUploadChunkBytes);

/// Puts the spooled upload `file` under `key` when its SHA-256 equals `expected_sha256`
/// (case-insensitive hex); Invalid (400) when the header is missing or malformed, Conflict when
/// the digests differ (a corrupted or truncated upload): nothing is stored then.
core::Status StoreUpload(storage::ObjectStore& store, std::string_view key,
                         const std::filesystem::path& file, std::string_view expected_sha256);
/// The same for a body that arrived whole with its request headers (the server spools only
/// what is still to be read after them, so such a body is at most its read buffer's size).
core::Status StoreUploadBytes(storage::ObjectStore& store, std::string_view key,
                              std::string_view bytes, std::string_view expected_sha256);

}  // namespace beacon::remote
