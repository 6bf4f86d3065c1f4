#include "app/token_commands.hpp"

#include <iomanip>
#include <iostream>
#include <map>

#include "app/runtime.hpp"
#include "server/auth_tokens.hpp"
#include "storage/module_db.hpp"

namespace beacon::app {

namespace fs = std::filesystem;

namespace {

int Fail(const std::string& message) {
    std::cerr << "beacon: " << message << "\n";
    return 1;
}

struct Opened {
    std::unique_ptr<Runtime> rt;
    std::unique_ptr<server::RefreshStore> store;
};

/// The studio database (for account names) and the signed tokens' store on it.
core::Result<Opened> OpenStores(const CommonOptions& common) {
    const bool required = !common.config_file.empty();
    const fs::path file = required ? fs::path(common.config_file) : fs::path("beacon.toml");
    BEACON_TRY(cfg, config::Load(file, config::ProcessEnvironment(), required));
    if (!common.data_dir.empty()) cfg.data_dir = common.data_dir;
    BEACON_TRY(rt, OpenRuntime(cfg));
    BEACON_TRY(store, server::OpenRefreshStore(storage::ModuleDbLocation(
                          cfg.database.url, (cfg.data_dir / "beacon.db").string())));
    return Opened{std::move(rt), std::move(store)};
}

std::string Stamp(std::int64_t ms) { return ms ? core::FormatTimestamp(ms) : "-"; }

}  // namespace

TokenCommands::TokenCommands(CLI::App* token, const std::function<void(CLI::App*)>& add_common) {
    sessions_ = token->add_subcommand(
        "sessions",
        "list live signed-token sign-ins (refresh families): id, account, when made "
        "and last refreshed, what made it, the client's User-Agent");
    add_common(sessions_);
    sessions_->add_option("--user", user_, "only this account's (default: every account)");
    sessions_->add_flag("--json", json_, "one JSON object per line");

    revoke_ = token->add_subcommand(
        "revoke", "revoke one sign-in: its refresh token and its access tokens stop working");
    add_common(revoke_);
    revoke_->add_option("family", family_, "the family id (fam_..., from `beacon token sessions`)")
        ->required();

    revoke_all_ = token->add_subcommand(
        "revoke-all",
        "revoke every signed token of an account issued until now (API tokens and "
        "browser sessions are not touched)");
    add_common(revoke_all_);
    revoke_all_->add_option("--user", user_, "the account (default admin)");
}

std::optional<int> TokenCommands::Run(const CommonOptions& common) {
    if (*sessions_) return Sessions(common);
    if (*revoke_) return Revoke(common);
    if (*revoke_all_) return RevokeAll(common);
    return std::nullopt;
}

int TokenCommands::Sessions(const CommonOptions& common) {
    auto opened = OpenStores(common);
    if (!opened.ok()) return Fail(opened.error().message);
    std::int64_t user_id = 0;
    if (!user_.empty()) {
        auto user = opened->rt->db->GetUserByName(user_);
        if (!user.ok()) return Fail("no account named '" + user_ + "'");
        user_id = user->id;
    }
    auto list = opened->store->ListFamilies(user_id, core::NowMillis());
    if (!list.ok()) return Fail(list.error().message);
    std::map<std::int64_t, std::string> names;
    auto name_of = [&](std::int64_t id) -> const std::string& {
        auto it = names.find(id);
        if (it != names.end()) return it->second;
        auto user = opened->rt->db->GetUserById(id);
        return names[id] = user.ok() ? user->name : "#" + std::to_string(id);
    };
    if (!json_ && list->empty()) {
        std::cerr << "No live signed-token sign-ins.\n";
        return 0;
    }
    if (!json_) {
        std::cout << std::left << std::setw(22) << "FAMILY" << std::setw(12) << "USER"
                  << std::setw(26) << "CREATED" << std::setw(26) << "LAST USED" << std::setw(11)
                  << "FROM"
                  << "NAME / USER-AGENT\n";
    }
    for (const auto& f : *list) {
        const char* from =
            f.source.kind == server::FamilySource::Kind::kSession ? "session" : "api_token";
        const auto last = f.last_used_ms ? f.last_used_ms : f.created_ms;
        if (json_) {
            std::cout << core::Json{{"family", f.id},
                                    {"user", name_of(f.user_id)},
                                    {"created_at", Stamp(f.created_ms)},
                                    {"last_used_at", Stamp(last)},
                                    {"expires_at", Stamp(f.expires_ms)},
                                    {"source", from},
                                    {"name", f.name},
                                    {"user_agent", f.user_agent}}
                             .dump()
                      << "\n";
            continue;
        }
        std::string label = f.name;
        if (!f.user_agent.empty()) label += (label.empty() ? "" : " / ") + f.user_agent;
        std::cout << std::left << std::setw(22) << f.id << std::setw(12) << name_of(f.user_id)
                  << std::setw(26) << Stamp(f.created_ms) << std::setw(26) << Stamp(last)
                  << std::setw(11) << from << label << "\n";
    }
    return 0;
}

int TokenCommands::Revoke(const CommonOptions& common) {
    auto opened = OpenStores(common);
    if (!opened.ok()) return Fail(opened.error().message);
    const auto now = core::NowMillis();
    auto family = opened->store->GetFamily(family_);
    if (!family.ok()) return Fail("no signed-token sign-in '" + family_.substr(0, 64) + "'");
    auto ids = opened->store->RevokeFamilies(family->user_id, family->id, nullptr, now);
    if (!ids.ok()) return Fail(ids.error().message);
    if (ids->empty()) {
        std::cout << family->id << " was already revoked.\n";
        return 0;
    }
    std::cout << "Revoked " << family->id
              << ". A running server refuses its tokens within [auth] revocation_sync_seconds.\n";
    return 0;
}

int TokenCommands::RevokeAll(const CommonOptions& common) {
    auto opened = OpenStores(common);
    if (!opened.ok()) return Fail(opened.error().message);
    const std::string name = user_.empty() ? "admin" : user_;
    auto user = opened->rt->db->GetUserByName(name);
    if (!user.ok()) return Fail("no account named '" + name + "'");
    const auto now = core::NowMillis();
    // Same as POST /auth/revoke {"all": true}: tokens issued until now are void (the epoch),
    // and every live family ends.
    if (auto s = opened->store->SetEpoch(user->id, now + 1); !s.ok()) {
        return Fail(s.error().message);
    }
    auto ids = opened->store->RevokeFamilies(user->id, "", nullptr, now);
    if (!ids.ok()) return Fail(ids.error().message);
    std::cout << "Revoked every signed token of '" << name << "' (" << ids->size() << " sign-in"
              << (ids->size() == 1 ? "" : "s") << ").\n";
    return 0;
}

}  // namespace beacon::app
