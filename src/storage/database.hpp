#pragma once
/// The metadata store, split by area: accounts, the job queue, batches, the library, assets and
/// LiveLoop channels. Code that needs one area takes that interface (e.g. `JobStore&`); the
/// backends (SQLite, PostgreSQL, and the in-memory fake in tests/support) implement them all,
/// checked by one contract suite. Every method is thread-safe (implementations serialise or
/// pool connections).
#include <memory>
#include <string>

#include "storage/account_store.hpp"
#include "storage/asset_store.hpp"
#include "storage/batch_store.hpp"
#include "storage/channel_store.hpp"
#include "storage/content_store.hpp"
#include "storage/job_store.hpp"

namespace beacon::storage {

/// Every area in one object: what a backend implements and what the app wires.
class Database : public AccountStore,
                 public JobStore,
                 public BatchStore,
                 public ContentStore,
                 public AssetStore,
                 public ChannelStore {
public:
    ~Database() override = default;
};

/// Opens (creating if needed) the SQLite database at `path` in WAL mode and applies migrations.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path);

}  // namespace beacon::storage
