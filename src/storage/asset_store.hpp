#pragma once
/// Assets: content-addressed files with their provenance (the engine/encode cache). Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "storage/store_types.hpp"

namespace beacon::storage {

class AssetStore {
public:
    virtual ~AssetStore() = default;

    virtual Result<core::Asset> AddAsset(const core::Asset& a) = 0;
    virtual Result<std::vector<core::Asset>> ListAssetsForJob(std::int64_t job_id) = 0;
    virtual Result<std::vector<core::Asset>> ListAssetsForContent(std::int64_t content_id) = 0;
    /// Any asset already made with this hash (the engine/encode cache).
    virtual Result<std::optional<core::Asset>> FindAssetByHash(const std::string& hash) = 0;
    virtual Status LinkJobAssetsToContent(std::int64_t job_id, std::int64_t content_id) = 0;
};

}  // namespace beacon::storage
