#include "app/migrate_modules.hpp"

#include <functional>

#include "arcade/store.hpp"
#include "ops/history.hpp"
#include "ops/moderation.hpp"
#include "remote/registry.hpp"
#include "server/auth_tokens.hpp"
#include "storage/module_copy.hpp"
#include "wiki/store.hpp"
#ifdef BEACON_WITH_VERSE
#include "verse/store.hpp"
#endif

namespace beacon::app {

namespace fs = std::filesystem;

namespace {

struct ModuleFile {
    const char* file;  // relative to the data folder
    std::vector<std::string> tables;  // parents first
    /// Opens the module's store at a location (creating or upgrading its tables), then closes it.
    std::function<core::Status(const std::string&)> prepare;
};

template <class Store>
std::function<core::Status(const std::string&)> Prepare() {
    return [](const std::string& where) -> core::Status {
        BEACON_TRY(store, Store::Open(where));
        return {};
    };
}

}  // namespace

core::Result<std::vector<std::pair<std::string, std::int64_t>>> MigrateModuleStores(
    const fs::path& data_dir, const std::string& postgres_url) {
    const std::vector<ModuleFile> modules = {
        {"wiki.db", {"wiki_facts", "wiki_entity_edits"}, Prepare<wiki::WikiStore>()},
#ifdef BEACON_WITH_VERSE
        {"verse.db",
         {"verse_worlds", "verse_revisions", "verse_assets", "verse_shares", "verse_meta"},
         Prepare<verse::WorldStore>()},
#endif
        {"arcade/arcade.db", {"arcade_games", "arcade_saves"}, Prepare<arcade::GameStore>()},
        {"remote.db", {"registration_tokens", "workers", "assignments"}, Prepare<remote::Registry>()},
        {"ops_history.db", {"ops_history"},
         [](const std::string& where) -> core::Status {
             BEACON_TRY(store, ops::HistoryStore::Open(where));
             return {};
         }},
        // Moderation's tables are the studio database's (migration 7 on both backends): copied
        // with beacon.db's other tables by storage::CopySqliteToPostgres. Signed tokens' refresh
        // families, epochs and verifying keys are a module's tables in beacon.db.
        {"beacon.db",
         {"auth_token_families", "auth_refresh_tokens", "auth_token_epochs", "auth_public_keys"},
         [](const std::string& where) -> core::Status {
             BEACON_TRY(store, server::OpenRefreshStore(where));
             return {};
         }},
    };
    std::vector<std::pair<std::string, std::int64_t>> out;
    std::error_code ec;
    for (const auto& m : modules) {
        const fs::path file = data_dir / m.file;
        if (!fs::exists(file, ec)) continue;
        if (m.prepare) {
            BEACON_CHECK(m.prepare(file.string()));   // the SQLite file at its newest version
            BEACON_CHECK(m.prepare(postgres_url));    // the same tables on PostgreSQL
        }
        BEACON_TRY(copied, storage::CopyModuleTables(file.string(), postgres_url, m.tables));
        out.insert(out.end(), copied.begin(), copied.end());
    }
    return out;
}

}  // namespace beacon::app
