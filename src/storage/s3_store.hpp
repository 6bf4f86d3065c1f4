#pragma once
/// The object store on an S3-compatible service (AWS S3, MinIO, Garage, SeaweedFS, Ceph RGW):
/// requests signed with AWS Signature Version 4 (OpenSSL HMAC-SHA256, payloads hashed), path-
/// style or virtual-host URLs, retries with backoff for 5xx and connection errors. Media
/// written by one machine is read by the others (scale-out); LocalPath is empty.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/object_store.hpp"
#include "storage/s3_options.hpp"

namespace beacon::storage {

/// The service (what beacon.toml says) and how the store talks to it; `S3Options{service}`.
struct S3Options : S3Service {
    int retries = 3;         // further tries after a 5xx or a connection error
    long timeout_seconds = 300;  // one request, whole
    /// Bytes; a larger object goes up as a multipart upload (parts of part_size, at least
    /// 8 MiB; the last may be smaller). Default 64 MiB.
    std::int64_t multipart_threshold = std::int64_t{64} << 20;
    std::int64_t part_size = std::int64_t{8} << 20;  // bytes; raised to 8 MiB when smaller
    /// Called before each part is sent (1, 2, ...): an error stops the upload there, which is
    /// then aborted (tests use it to fail an upload midway). Empty: no calls.
    std::function<core::Status(int part_number)> before_part;
    /// Called before each request goes out with its method, key ("" for the bucket) and the
    /// bytes of its body (tests count uploads with it). Empty: no calls.
    std::function<void(const std::string& method, const std::string& key, std::int64_t body_bytes)>
        on_request;
};

/// The smallest part size Beacon uses (S3 itself requires 5 MiB for every part but the last).
inline constexpr std::int64_t kMinPartBytes = std::int64_t{8} << 20;

/// Opens the store; creates the bucket when it does not exist yet. Objects above
/// multipart_threshold go up in parts; a failed part aborts the upload (AbortMultipartUpload),
/// so a failure never leaves an object (an earlier object under the key stays as it was). Unavailable when the
/// service cannot be reached, External when it refuses the credentials.
core::Result<std::unique_ptr<ObjectStore>> OpenS3Store(const S3Options& options);

/// One object of a bucket listing.
struct S3Object {
    std::string key;
    std::int64_t size = 0;
    std::string etag;  // without its quotes
};
/// Every object under `prefix` of a store made by OpenS3Store (ListObjectsV2, page by page);
/// Invalid for any other store.
core::Result<std::vector<S3Object>> ListS3Objects(ObjectStore& store, std::string_view prefix);
/// A server-side copy within the store's bucket (CopyObject; S3 allows up to 5 GiB): the bytes
/// never travel through this machine. Invalid for a store not made by OpenS3Store.
core::Status CopyS3Object(ObjectStore& store, std::string_view from, std::string_view to);

namespace s3 {
/// The SigV4 pieces, exposed for tests against AWS's published examples.
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw bytes
/// The Authorization header value for a request whose canonical form is given.
/// `amz_date` is "YYYYMMDDTHHMMSSZ"; `headers` are lowercase name → trimmed value.
std::string Authorization(const S3Options& o, const std::string& method,
                          const std::string& canonical_uri, const std::string& canonical_query,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::string& payload_hash, const std::string& amz_date);
/// RFC 3986 percent-encoding as SigV4 wants it ('/' kept when `keep_slash`).
std::string UriEncode(std::string_view s, bool keep_slash);
}  // namespace s3

}  // namespace beacon::storage
