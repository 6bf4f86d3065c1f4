#include "storage/cached_store.hpp"

#include <system_error>

namespace beacon::storage {

namespace fs = std::filesystem;
using core::Error;

namespace {

class CachedStore final : public ObjectStore {
public:
    CachedStore(std::unique_ptr<ObjectStore> remote, std::unique_ptr<ObjectStore> cache)
        : remote_(std::move(remote)), cache_(std::move(cache)) {}

    core::Status Put(std::string_view key, std::string_view bytes) override {
        BEACON_CHECK(remote_->Put(key, bytes));
        (void)cache_->Put(key, bytes);  // a cache that cannot write only costs a later fetch
        return {};
    }
    core::Status PutFile(std::string_view key, const fs::path& file) override {
        BEACON_CHECK(remote_->PutFile(key, file));
        (void)cache_->PutFile(key, file);
        return {};
    }
    core::Result<std::string> Get(std::string_view key) override {
        if (CachedCopyIsCurrent(key)) {
            auto local = cache_->Get(key);
            if (local.ok()) return local;
        }
        BEACON_TRY(bytes, remote_->Get(key));
        (void)cache_->Put(key, bytes);
        return bytes;
    }
    core::Result<std::string> GetRange(std::string_view key, std::int64_t offset,
                                       std::int64_t length) override {
        if (CachedCopyIsCurrent(key)) return cache_->GetRange(key, offset, length);
        return remote_->GetRange(key, offset, length);
    }
    bool Exists(std::string_view key) override { return remote_->Exists(key); }
    core::Result<std::int64_t> Size(std::string_view key) override { return remote_->Size(key); }
    core::Status Delete(std::string_view key_or_prefix) override {
        BEACON_CHECK(remote_->Delete(key_or_prefix));
        (void)cache_->Delete(key_or_prefix);
        return {};
    }
    /// The cached file, fetched from the remote store when missing or stale. A key the remote
    /// store does not have gives a path where no file is (as the folder store does).
    fs::path LocalPath(std::string_view key) override {
        fs::path local = cache_->LocalPath(key);
        if (local.empty()) return local;
        auto size = remote_->Size(key);
        std::error_code ec;
        if (!size.ok()) {
            if (size.error().code == core::ErrorCode::kNotFound) fs::remove(local, ec);
            return local;
        }
        if (fs::is_regular_file(local, ec) &&
            static_cast<std::int64_t>(fs::file_size(local, ec)) == *size) {
            return local;
        }
        if (auto bytes = remote_->Get(key); bytes.ok()) (void)cache_->Put(key, *bytes);
        return local;
    }

private:
    bool CachedCopyIsCurrent(std::string_view key) {
        const fs::path local = cache_->LocalPath(key);
        std::error_code ec;
        if (local.empty() || !fs::is_regular_file(local, ec)) return false;
        auto size = remote_->Size(key);
        return size.ok() && static_cast<std::int64_t>(fs::file_size(local, ec)) == *size;
    }

    std::unique_ptr<ObjectStore> remote_;
    std::unique_ptr<ObjectStore> cache_;
};

}  // namespace

core::Result<std::unique_ptr<ObjectStore>> OpenCachedStore(std::unique_ptr<ObjectStore> remote,
                                                           const fs::path& cache_root) {
    if (!remote) return Error::Invalid("cached store: no remote store");
    BEACON_TRY(cache, OpenFilesystemStore(cache_root));
    return std::unique_ptr<ObjectStore>(
        std::make_unique<CachedStore>(std::move(remote), std::move(cache)));
}

}  // namespace beacon::storage
