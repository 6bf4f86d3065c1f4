#include "party/invite.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace beacon::party {

namespace {

std::string Hex(const unsigned char* p, std::size_t n) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += kDigits[p[i] >> 4];
        out += kDigits[p[i] & 15];
    }
    return out;
}

core::Error Refused(std::string why) {
    return core::Error{core::ErrorCode::kUnauthorized, "invite " + std::move(why)};
}

}  // namespace

InviteSigner::InviteSigner(std::string secret) : secret_(std::move(secret)) {
    if (secret_.size() < 32) throw std::invalid_argument("invite secret shorter than 32 bytes");
}

std::string InviteSigner::RandomSecret() {
    std::string s(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(s.size())) != 1) {
        throw std::runtime_error("no random bytes for the invite secret");
    }
    return s;
}

std::string InviteSigner::Sign(std::string_view party_id, std::int64_t expires_ms) const {
    std::string msg = "beacon-party-invite|v1|";
    msg += party_id;
    msg += '|';
    msg += std::to_string(expires_ms);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac, &len);
    return Hex(mac, len);
}

std::string InviteSigner::Issue(std::string_view party_id, std::int64_t expires_ms) const {
    return "pi1." + std::string(party_id) + "." + std::to_string(expires_ms) + "." +
           Sign(party_id, expires_ms);
}

core::Status InviteSigner::Check(std::string_view token, std::string_view party_id,
                                 std::int64_t now_ms) const {
    if (token.size() > 256 || token.substr(0, 4) != "pi1.") return Refused("is malformed");
    token.remove_prefix(4);
    auto dot1 = token.find('.');
    if (dot1 == std::string_view::npos) return Refused("is malformed");
    auto dot2 = token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos) return Refused("is malformed");
    std::string_view pid = token.substr(0, dot1);
    std::string_view exp_text = token.substr(dot1 + 1, dot2 - dot1 - 1);
    std::string_view sig = token.substr(dot2 + 1);
    if (exp_text.empty() || exp_text.size() > 18) return Refused("is malformed");
    std::int64_t exp = 0;
    for (char c : exp_text) {
        if (c < '0' || c > '9') return Refused("is malformed");
        exp = exp * 10 + (c - '0');
    }
    std::string want = Sign(pid, exp);
    if (sig.size() != want.size() || CRYPTO_memcmp(sig.data(), want.data(), want.size()) != 0) {
        return Refused("signature is not valid");
    }
    if (pid != party_id) return Refused("is for another party");
    if (exp <= now_ms) return Refused("has expired");
    return {};
}

}  // namespace beacon::party
