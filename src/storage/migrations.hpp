#pragma once
/// Versioned schema migrations for SQLite. Migration i (1-based) brings PRAGMA user_version from
/// i-1 to i; each runs in its own transaction. Never edit a shipped migration: append a new one.
#include <string_view>
#include <vector>

namespace beacon::storage {

const std::vector<std::string_view>& SqliteMigrations();

}  // namespace beacon::storage
