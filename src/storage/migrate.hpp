#pragma once
/// Moves a library's metadata from SQLite to PostgreSQL (`beacon migrate`): every row of the
/// Database tables, ids kept (they name object-store folders), identity counters moved past
/// them, in one PostgreSQL transaction. The target must be empty. Media are not touched.
#include <string>
#include <vector>

#include "core/result.hpp"

namespace beacon::storage {

struct MigrateReport {
    std::vector<std::pair<std::string, std::int64_t>> rows;  // table → rows copied
};

core::Result<MigrateReport> CopySqliteToPostgres(const std::string& sqlite_path,
                                                 const std::string& postgres_url);

}  // namespace beacon::storage
