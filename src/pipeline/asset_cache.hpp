#pragma once
/// The pipeline's content-addressed asset cache and the scratch-file helpers its stages share.
/// Internal to beacon::pipeline.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/model.hpp"
#include "core/result.hpp"
#include "engines/engines.hpp"
#include "storage/asset_store.hpp"
#include "storage/object_store.hpp"

namespace beacon::pipeline {

/// "jobs/<id>/": a job's working objects; "library/<id>/": a library item's files.
std::string JobPrefix(std::int64_t job_id);
std::string LibraryPrefix(std::int64_t content_id);

/// The lowercased extension of `p` (".png"), or `fallback` when it has none or an odd one.
std::string Ext(const std::filesystem::path& p, const std::string& fallback);

core::Result<std::string> ReadFile(const std::filesystem::path& p);
core::Status WriteFile(const std::filesystem::path& p, const std::string& text);
core::Result<std::filesystem::path> MakeDir(const std::filesystem::path& p);

/// Where ffmpeg can read a stored object: its local path, or a copy in `scratch`.
core::Result<std::string> Readable(storage::ObjectStore& store, const std::string& key,
                                   const std::filesystem::path& scratch);

/// Puts a finished local file in the store and records it as an asset. `hash` empty: the
/// sha256 of the file's bytes. `extra` fields are merged into the asset's parameters.
core::Result<core::Asset> StoreAsset(storage::AssetStore& db, storage::ObjectStore& store,
                                     std::int64_t job_id, core::AssetKind kind,
                                     const std::string& key, const std::filesystem::path& file,
                                     const std::string& hash, const engines::Provenance& prov,
                                     const core::Json& extra = core::Json::object());

/// A cached asset for this hash whose object still exists. A hit made by another job is
/// recorded for this job too (same key, parameters.reused_from), so its content lists the
/// provenance of everything it uses.
std::optional<core::Asset> Cached(storage::AssetStore& db, storage::ObjectStore& store,
                                  const std::string& hash, std::int64_t job_id);

}  // namespace beacon::pipeline
