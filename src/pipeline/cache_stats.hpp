#pragma once
/// Hits and misses of the pipeline's content-addressed asset cache (voices, pictures, finals
/// found by hash instead of being made again), counted since the process started, for /metrics
/// (beacon_asset_cache_lookups_total{result}). Thread-safe.
#include <cstdint>

namespace beacon::pipeline {

struct AssetCacheCounts {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
};

AssetCacheCounts AssetCacheStats();

}  // namespace beacon::pipeline
