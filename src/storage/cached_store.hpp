#pragma once
/// A remote object store (S3) with a local read-through cache folder, so that code which needs a
/// file on disk (ffmpeg inputs, /media serving with sendfile and Range) works unchanged on a
/// machine that shares its media through S3. The remote store is the truth: writes go to it
/// first (then to the cache), and LocalPath checks the remote object's size before trusting a
/// cached copy (an object replaced or deleted by another machine is fetched again or dropped).
#include <filesystem>
#include <memory>

#include "storage/object_store.hpp"

namespace beacon::storage {

core::Result<std::unique_ptr<ObjectStore>> OpenCachedStore(std::unique_ptr<ObjectStore> remote,
                                                           const std::filesystem::path& cache_root);

}  // namespace beacon::storage
