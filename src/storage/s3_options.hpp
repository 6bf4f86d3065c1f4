#pragma once
/// Where an S3-compatible service is and how to sign for it: plain data, so that config parses
/// [storage] and [backup] straight into it without linking the store (see s3_store.hpp).
#include <string>

namespace beacon::storage {

struct S3Service {
    std::string endpoint;  // "http://127.0.0.1:9000" (scheme, host, optional port; no path)
    std::string bucket;
    std::string region = "us-east-1";  // SigV4 signing region
    std::string access_key;
    std::string secret_key;
    bool path_style = true;  // endpoint/bucket/key (MinIO, Garage); false = bucket.host/key
};

}  // namespace beacon::storage
