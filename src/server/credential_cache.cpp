#include "server/credential_cache.hpp"

namespace beacon::server {

namespace {

std::string KeyOf(CredentialCache::Kind kind, std::string_view digest) {
    std::string key(1, static_cast<char>(kind));
    key += digest;
    return key;
}

}  // namespace

CredentialCache::CredentialCache(std::chrono::milliseconds ttl, std::size_t max_entries)
    : ttl_(ttl), max_entries_(max_entries) {}

std::optional<CredentialCache::Entry> CredentialCache::Find(Kind kind, std::string_view digest,
                                                            Clock::time_point now,
                                                            core::UnixMillis wall) const {
    const std::string key = KeyOf(kind, digest);
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    Entry& e = it->second;
    if (e.expires_at != 0 && wall >= e.expires_at) return std::nullopt;
    if (now < e.checked || now - e.checked >= 2 * ttl_) return std::nullopt;
    if (now - e.checked >= ttl_) {
        if (!e.refreshing) {
            e.refreshing = true;  // this caller asks the database
            return std::nullopt;
        }
    }
    return e;
}

std::uint64_t CredentialCache::Generation() const {
    std::lock_guard lock(mu_);
    return generation_;
}

void CredentialCache::Put(Kind kind, std::string_view digest, Entry entry,
                          std::uint64_t generation) {
    std::string key = KeyOf(kind, digest);
    std::lock_guard lock(mu_);
    if (generation != generation_) return;  // revoked meanwhile: the answer may be stale
    if (entries_.size() >= max_entries_ && !entries_.contains(key)) entries_.clear();
    entries_[std::move(key)] = std::move(entry);
}

template <class Pred>
void CredentialCache::EraseIf(Pred pred) {
    std::lock_guard lock(mu_);
    ++generation_;
    std::erase_if(entries_, [&](const auto& kv) {
        return pred(static_cast<Kind>(kv.first.front()), kv.first, kv.second);
    });
}

void CredentialCache::Forget(Kind kind, std::string_view digest) {
    const std::string key = KeyOf(kind, digest);
    std::lock_guard lock(mu_);
    entries_.erase(key);
}

void CredentialCache::RevokeToken(std::int64_t user_id, std::int64_t token_id) {
    EraseIf([&](Kind k, const std::string&, const Entry& e) {
        return k == Kind::kBearer && e.user_id == user_id && e.token_id == token_id;
    });
}

void CredentialCache::RevokeUserTokens(std::int64_t user_id) {
    EraseIf([&](Kind k, const std::string&, const Entry& e) {
        return k == Kind::kBearer && e.user_id == user_id;
    });
}

void CredentialCache::RevokeSession(std::string_view digest) {
    const std::string key = KeyOf(Kind::kSession, digest);
    EraseIf([&](Kind, const std::string& k, const Entry&) { return k == key; });
}

void CredentialCache::RevokeUserSessions(std::int64_t user_id) {
    EraseIf([&](Kind k, const std::string&, const Entry& e) {
        return k == Kind::kSession && e.user_id == user_id;
    });
}

void CredentialCache::RevokeUserStreamKeys(std::int64_t user_id) {
    EraseIf([&](Kind k, const std::string&, const Entry& e) {
        return k == Kind::kStreamKey && e.user_id == user_id;
    });
}

void CredentialCache::RevokeAll() {
    EraseIf([](Kind, const std::string&, const Entry&) { return true; });
}

}  // namespace beacon::server
