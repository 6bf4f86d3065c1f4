#pragma once
/// Copies module tables from a SQLite file into PostgreSQL for `beacon migrate` (the module
/// stores' own tables; storage::CopySqliteToPostgres moves the studio's). The tables must exist
/// on both sides at their newest version (open the module's store on each first) and be empty
/// on PostgreSQL. Ids are kept and identity counters moved past them. One transaction.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace beacon::storage {

/// Copies `tables` (parents first) from `sqlite_path` into `postgres_url`; the rows copied per
/// table. Conflict when a target table already has rows.
core::Result<std::vector<std::pair<std::string, std::int64_t>>> CopyModuleTables(
    const std::string& sqlite_path, const std::string& postgres_url,
    const std::vector<std::string>& tables);

}  // namespace beacon::storage
