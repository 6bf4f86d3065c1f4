#pragma once
/// `beacon migrate`'s second half: the module stores' tables (wiki, Verse, Arcade, moderation,
/// remote workers) from their SQLite files in the data folder into the PostgreSQL database the
/// studio's own tables went to, where `beacon serve` on PostgreSQL reads them.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace beacon::app {

/// Creates every module's tables on `postgres_url` and copies the rows of each module file
/// present in `data_dir` (a missing file is skipped). Table → rows copied.
core::Result<std::vector<std::pair<std::string, std::int64_t>>> MigrateModuleStores(
    const std::filesystem::path& data_dir, const std::string& postgres_url);

}  // namespace beacon::app
