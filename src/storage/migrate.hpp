#pragma once
/// Moves a library's metadata from SQLite to PostgreSQL (`beacon migrate`): every row of every
/// table beacon.db and the studio's PostgreSQL schema both have (batches and moderation too), ids
/// kept (they name object-store folders), identity counters moved past them, in one PostgreSQL
/// transaction. The target must be empty. Media are not touched.
#include <string>
#include <vector>

#include "core/result.hpp"

namespace beacon::storage {

struct MigrateReport {
    std::vector<std::pair<std::string, std::int64_t>> rows;  // table → rows copied
};

core::Result<MigrateReport> CopySqliteToPostgres(const std::string& sqlite_path,
                                                 const std::string& postgres_url);

/// The tables CopySqliteToPostgres copies, in order: every table both lists have except
/// bookkeeping (schema versions, SQLite's own tables, the full-text index), parents first.
std::vector<std::string> CopiedTables(const std::vector<std::string>& sqlite_tables,
                                      const std::vector<std::string>& postgres_tables);

}  // namespace beacon::storage
