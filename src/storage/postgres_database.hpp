#pragma once
/// The metadata store on PostgreSQL (scale-out: a server and workers on several machines share
/// one database). Same semantics as the SQLite store, checked by one contract suite.
#include <memory>
#include <string>

#include "storage/database.hpp"

namespace beacon::storage {

/// True for "postgresql://..." and "postgres://..." URLs (libpq connection URIs).
bool IsPostgresUrl(const std::string& url);

/// Connects `connections` pooled connections to the database at `url` and applies migrations
/// under an advisory lock (several processes starting at once migrate exactly once).
/// Unavailable when the server cannot be reached.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int connections = 8);

}  // namespace beacon::storage
