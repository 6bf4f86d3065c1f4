#include "pipeline/asset_cache.hpp"

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>

#include "pipeline/cache_stats.hpp"
#include "pipeline/pipeline.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using core::Result;

std::string Mime(const std::string& key) {
    static const std::map<std::string, std::string> kTypes = {
        {".mp4", "video/mp4"},         {".png", "image/png"},
        {".jpg", "image/jpeg"},        {".wav", "audio/wav"},
        {".mp3", "audio/mpeg"},        {".vtt", "text/vtt"},
        {".json", "application/json"}, {".m3u8", "application/vnd.apple.mpegurl"},
        {".ts", "video/mp2t"}};
    auto it = kTypes.find(Ext(key, ""));
    return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

std::string JobPrefix(std::int64_t id) { return "jobs/" + std::to_string(id) + "/"; }
std::string LibraryPrefix(std::int64_t id) { return "library/" + std::to_string(id) + "/"; }

std::string Ext(const fs::path& p, const std::string& fallback) {
    std::string e = p.extension().string();
    for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (e.empty() || e.size() > 5 ||
        e.find_first_not_of(".abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos) {
        return fallback;
    }
    return e;
}

Result<std::string> ReadFile(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) return Error::Unavailable("cannot read " + p.string(), false);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

core::Status WriteFile(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return Error::Unavailable("cannot write " + p.string(), false);
    return {};
}

Result<fs::path> MakeDir(const fs::path& p) {
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec) return Error::Unavailable("cannot create " + p.string() + ": " + ec.message(), false);
    return p;
}

Result<std::string> Readable(storage::ObjectStore& store, const std::string& key,
                             const fs::path& scratch) {
    fs::path local = store.LocalPath(key);
    if (!local.empty() && fs::exists(local)) return local.string();
    BEACON_TRY(bytes, store.Get(key));
    BEACON_TRY(dir, MakeDir(scratch / "fetched"));
    fs::path copy = dir / Sha256Hex(key);
    copy += Ext(key, ".bin");
    BEACON_CHECK(WriteFile(copy, bytes));
    return copy.string();
}

Result<core::Asset> StoreAsset(storage::AssetStore& db, storage::ObjectStore& store,
                               std::int64_t job_id, core::AssetKind kind, const std::string& key,
                               const fs::path& file, const std::string& hash,
                               const engines::Provenance& prov, const Json& extra) {
    std::error_code ec;
    auto size = static_cast<std::int64_t>(fs::file_size(file, ec));
    if (ec) return Error::Internal("missing output file " + file.string());
    std::string content_hash = hash;
    if (content_hash.empty()) {
        BEACON_TRY(bytes, ReadFile(file));
        content_hash = Sha256Hex(bytes);
    }
    BEACON_CHECK(store.PutFile(key, file));
    core::Asset a;
    a.job_id = job_id;
    a.kind = kind;
    a.hash = content_hash;
    a.key = key;
    a.mime = Mime(key);
    a.size = size;
    a.engine = prov.engine;
    a.model = prov.model;
    a.parameters = prov.parameters.is_object() ? prov.parameters : Json::object();
    for (auto it = extra.begin(); it != extra.end(); ++it) a.parameters[it.key()] = it.value();
    return db.AddAsset(a);
}

namespace {
std::atomic<std::uint64_t> g_cache_hits{0};
std::atomic<std::uint64_t> g_cache_misses{0};
}  // namespace

AssetCacheCounts AssetCacheStats() {
    return {g_cache_hits.load(std::memory_order_relaxed),
            g_cache_misses.load(std::memory_order_relaxed)};
}

std::optional<core::Asset> Cached(storage::AssetStore& db, storage::ObjectStore& store,
                                  const std::string& hash, std::int64_t job_id) {
    auto found = db.FindAssetByHash(hash);
    if (!found.ok() || !found->has_value() || !store.Exists((*found)->key)) {
        g_cache_misses.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
    }
    g_cache_hits.fetch_add(1, std::memory_order_relaxed);
    core::Asset hit = **found;
    if (hit.job_id != job_id) {
        core::Asset copy = hit;
        copy.id = 0;
        copy.job_id = job_id;
        copy.content_id.reset();
        if (!copy.parameters.is_object()) copy.parameters = Json::object();
        copy.parameters["reused_from"] = hit.id;
        (void)db.AddAsset(copy);
    }
    return hit;
}

}  // namespace beacon::pipeline
