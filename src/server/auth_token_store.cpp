/// RefreshStore on storage::ModuleDb: the studio's beacon.db on SQLite, or the studio's
/// PostgreSQL database, so that every `beacon serve` on that database sees the same families,
/// revocations, epochs and verifying keys.
#include "server/auth_tokens.hpp"
#include "storage/module_db.hpp"

namespace beacon::server {

using core::Error;
using storage::Args;

namespace {

// Version 1 of the tables. On SQLite they live in beacon.db, whose user_version belongs to the
// studio's own migrations, so they are created with IF NOT EXISTS (and the columns added since
// the first release are added when missing); on PostgreSQL ModuleDb::Migrate applies them once.
constexpr std::string_view kSchemaV1 = R"(
CREATE TABLE IF NOT EXISTS auth_token_families (
  id TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  source_kind TEXT NOT NULL,
  source_ref TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  revoked_ms BIGINT NOT NULL DEFAULT 0,
  last_used_ms BIGINT NOT NULL DEFAULT 0,
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS auth_token_families_user ON auth_token_families(user_id);
CREATE INDEX IF NOT EXISTS auth_token_families_revoked ON auth_token_families(revoked_ms);
CREATE TABLE IF NOT EXISTS auth_refresh_tokens (
  digest TEXT PRIMARY KEY,
  family TEXT NOT NULL REFERENCES auth_token_families(id) ON DELETE CASCADE,
  expires_ms BIGINT NOT NULL,
  used_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS auth_refresh_tokens_family ON auth_refresh_tokens(family);
CREATE TABLE IF NOT EXISTS auth_token_epochs (
  user_id BIGINT PRIMARY KEY,
  not_before_ms BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_public_keys (
  kid TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  retired_ms BIGINT NOT NULL DEFAULT 0
);
)";

core::Status Done(const core::Result<storage::Table>& r) {
    if (!r.ok()) return r.error();
    return {};
}

std::string_view KindName(FamilySource::Kind k) {
    return k == FamilySource::Kind::kSession ? "session" : "api_token";
}

constexpr const char* kFamilyCols =
    "id, user_id, source_kind, source_ref, name, created_ms, expires_ms, revoked_ms, "
    "last_used_ms, user_agent";

RefreshStore::Family FamilyFrom(const storage::Table& t, int r) {
    RefreshStore::Family f;
    f.id = t.Text(r, 0);
    f.user_id = t.Int(r, 1);
    f.source.kind =
        t.Text(r, 2) == "session" ? FamilySource::Kind::kSession : FamilySource::Kind::kApiToken;
    f.source.ref = t.Text(r, 3);
    f.name = t.Text(r, 4);
    f.created_ms = t.Int(r, 5);
    f.expires_ms = t.Int(r, 6);
    f.revoked_ms = t.Int(r, 7);
    f.last_used_ms = t.Int(r, 8);
    f.user_agent = t.Text(r, 9);
    return f;
}

class ModuleRefreshStore final : public RefreshStore {
public:
    explicit ModuleRefreshStore(std::unique_ptr<storage::ModuleDb> db) : db_(std::move(db)) {}

    core::Status Init() {
        if (db_->postgres()) {
            const std::string_view steps[] = {kSchemaV1};
            return db_->Migrate("auth_tokens", steps, steps);
        }
        // beacon.db made by an older Beacon: its families table lacks the newer columns.
        BEACON_TRY(cols, db_->Query("SELECT name FROM pragma_table_info('auth_token_families')"));
        if (!cols.empty()) {
            bool last_used = false, agent = false;
            for (int r = 0; r < cols.size(); ++r) {
                last_used = last_used || cols.Text(r, 0) == "last_used_ms";
                agent = agent || cols.Text(r, 0) == "user_agent";
            }
            if (!last_used) {
                BEACON_CHECK(db_->Exec(
                    "ALTER TABLE auth_token_families ADD COLUMN last_used_ms BIGINT NOT NULL "
                    "DEFAULT 0"));
            }
            if (!agent) {
                BEACON_CHECK(
                    db_->Exec("ALTER TABLE auth_token_families ADD COLUMN user_agent TEXT NOT NULL "
                              "DEFAULT ''"));
            }
        }
        return db_->Exec(kSchemaV1);
    }

    core::Status AddFamily(const Family& f) override {
        Args a;
        a.Add(f.id).Add(f.user_id).Add(KindName(f.source.kind)).Add(f.source.ref).Add(f.name);
        a.Add(f.created_ms).Add(f.expires_ms).Add(f.created_ms).Add(f.user_agent);
        return Done(db_->Query(
            "INSERT INTO auth_token_families (id, user_id, source_kind, source_ref, name, "
            "created_ms, expires_ms, last_used_ms, user_agent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            a));
    }
    core::Result<Family> GetFamily(const std::string& id) override {
        BEACON_TRY(t, db_->Query(std::string("SELECT ") + kFamilyCols +
                                     " FROM auth_token_families WHERE id = ?",
                                 Args().Add(id)));
        if (t.empty()) return Error::NotFound("no such token family");
        return FamilyFrom(t, 0);
    }
    core::Status AddToken(const std::string& digest, const Token& t) override {
        return Done(db_->Query(
            "INSERT INTO auth_refresh_tokens (digest, family, expires_ms) VALUES (?, ?, ?)",
            Args().Add(digest).Add(t.family).Add(t.expires_ms)));
    }
    core::Result<Token> GetToken(const std::string& digest) override {
        BEACON_TRY(t, db_->Query("SELECT family, expires_ms, used_ms FROM auth_refresh_tokens "
                                 "WHERE digest = ?",
                                 Args().Add(digest)));
        if (t.empty()) return Error::NotFound("no such refresh token");
        return Token{t.Text(0, 0), t.Int(0, 1), t.Int(0, 2)};
    }
    core::Result<bool> SpendToken(const std::string& digest, std::int64_t now_ms) override {
        // One statement: of two processes refreshing with the same token, one changes the row.
        BEACON_TRY(t, db_->Query("UPDATE auth_refresh_tokens SET used_ms = ? WHERE digest = ? AND "
                                 "used_ms = 0",
                                 Args().Add(now_ms).Add(digest)));
        if (t.affected() != 1) return false;
        BEACON_CHECK(
            Done(db_->Query("UPDATE auth_token_families SET last_used_ms = ? WHERE id = "
                            "(SELECT family FROM auth_refresh_tokens WHERE digest = ?)",
                            Args().Add(now_ms).Add(digest))));
        return true;
    }
    core::Result<std::vector<std::string>> RevokeFamilies(std::int64_t user_id,
                                                          const std::string& family,
                                                          const FamilySource* source,
                                                          std::int64_t now_ms) override {
        std::string where = "user_id = ? AND revoked_ms = 0";
        Args a;
        a.Add(now_ms).Add(user_id);
        if (!family.empty()) {
            where += " AND id = ?";
            a.Add(family);
        }
        if (source) {
            where += " AND source_kind = ?";
            a.Add(KindName(source->kind));
        }
        if (source && !source->ref.empty()) {
            where += " AND source_ref = ?";
            a.Add(source->ref);
        }
        BEACON_TRY(t, db_->Query("UPDATE auth_token_families SET revoked_ms = ? WHERE " + where +
                                     " RETURNING id",
                                 a));
        std::vector<std::string> ids;
        for (int r = 0; r < t.size(); ++r) ids.push_back(t.Text(r, 0));
        return ids;
    }
    core::Result<std::vector<Family>> ListFamilies(std::int64_t user_id,
                                                   std::int64_t now_ms) override {
        Args a;
        std::string where = "revoked_ms = 0 AND expires_ms > ?";
        a.Add(now_ms);
        if (user_id != 0) {
            where += " AND user_id = ?";
            a.Add(user_id);
        }
        BEACON_TRY(t, db_->Query(std::string("SELECT ") + kFamilyCols +
                                     " FROM auth_token_families WHERE " + where +
                                     " ORDER BY created_ms, id",
                                 a));
        std::vector<Family> out;
        for (int r = 0; r < t.size(); ++r) out.push_back(FamilyFrom(t, r));
        return out;
    }
    core::Result<std::vector<std::string>> RevokedSince(std::int64_t since_ms) override {
        BEACON_TRY(t, db_->Query("SELECT id FROM auth_token_families WHERE revoked_ms >= ?",
                                 Args().Add(since_ms)));
        std::vector<std::string> out;
        for (int r = 0; r < t.size(); ++r) out.push_back(t.Text(r, 0));
        return out;
    }
    core::Status SetEpoch(std::int64_t user_id, std::int64_t not_before_ms) override {
        return Done(
            db_->Query("INSERT INTO auth_token_epochs (user_id, not_before_ms) VALUES (?, ?) "
                       "ON CONFLICT (user_id) DO UPDATE SET not_before_ms = excluded.not_before_ms",
                       Args().Add(user_id).Add(not_before_ms)));
    }
    core::Result<std::map<std::int64_t, std::int64_t>> Epochs() override {
        BEACON_TRY(t, db_->Query("SELECT user_id, not_before_ms FROM auth_token_epochs"));
        std::map<std::int64_t, std::int64_t> out;
        for (int r = 0; r < t.size(); ++r) out[t.Int(r, 0)] = t.Int(r, 1);
        return out;
    }
    core::Status Prune(std::int64_t before_ms) override {
        return Done(
            db_->Query("DELETE FROM auth_token_families WHERE expires_ms < ? OR "
                       "(revoked_ms != 0 AND revoked_ms < ?)",
                       Args().Add(before_ms).Add(before_ms)));
    }
    core::Status PublishKeys(const std::vector<PublishedKey>& keys,
                             std::int64_t drop_retired_before_ms) override {
        return db_->Transaction([&]() -> core::Status {
            for (const auto& k : keys) {
                BEACON_CHECK(Done(db_->Query(
                    "INSERT INTO auth_public_keys (kid, public_key, "
                    "created_ms, retired_ms) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (kid) DO UPDATE SET retired_ms = "
                    "excluded.retired_ms",
                    Args().Add(k.kid).Add(k.public_key).Add(k.created_ms).Add(k.retired_ms))));
            }
            return Done(
                db_->Query("DELETE FROM auth_public_keys WHERE retired_ms != 0 AND retired_ms < ?",
                           Args().Add(drop_retired_before_ms)));
        });
    }
    core::Result<std::vector<PublishedKey>> PublishedKeys() override {
        BEACON_TRY(
            t, db_->Query("SELECT kid, public_key, created_ms, retired_ms FROM auth_public_keys "
                          "ORDER BY created_ms DESC, kid"));
        std::vector<PublishedKey> out;
        for (int r = 0; r < t.size(); ++r) {
            out.push_back({t.Text(r, 0), t.Text(r, 1), t.Int(r, 2), t.Int(r, 3)});
        }
        return out;
    }

private:
    std::unique_ptr<storage::ModuleDb> db_;
};

}  // namespace

core::Result<std::unique_ptr<RefreshStore>> OpenRefreshStore(const std::string& where) {
    BEACON_TRY(db, storage::ModuleDb::Open(where));
    auto store = std::make_unique<ModuleRefreshStore>(std::move(db));
    BEACON_CHECK(store->Init());
    return std::unique_ptr<RefreshStore>(std::move(store));
}

}  // namespace beacon::server
