#include "ops/secrets.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/model.hpp"

namespace beacon::ops {

namespace fs = std::filesystem;
using core::Json;

namespace {

std::string ToBase64(const unsigned char* p, std::size_t n) {
    std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), p, n, sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

std::optional<std::string> FromBase64(const std::string& s) {
    std::string out(s.size(), '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(),
                          s.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return std::nullopt;
    }
    out.resize(len);
    return out;
}

core::Result<Json> ReadSealed(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return Json::object();
    std::ifstream in(file);
    Json j = Json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return core::Error::Invalid(file.string() + " is not a secrets file");
    }
    return j;
}

core::Status WriteSealed(const fs::path& file, const Json& j) {
    fs::path tmp = file;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return core::Error::Unavailable("cannot write " + tmp.string(), false);
    std::string text = j.dump(1) + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    std::error_code ec;
    if (ok) fs::rename(tmp, file, ec);
    if (!ok || ec) {
        fs::remove(tmp, ec);
        return core::Error::Unavailable("cannot write " + file.string(), false);
    }
    return {};
}

}  // namespace

bool IsKnownSecret(const std::string& name) { return name == "elevenlabs"; }

SecretStore::SecretStore(fs::path file, fs::path key_file)
    : file_(std::move(file)), key_file_(std::move(key_file)) {}

core::Result<std::string> SecretStore::Key(bool create) const { return KeyAt(key_file_, create); }

core::Result<std::string> SecretStore::KeyAt(const fs::path& key_file, bool create) const {
    if (sodium_init() < 0) return core::Error::Internal("libsodium failed to start");
    int fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT && create) {
        std::error_code ec;
        fs::create_directories(key_file.parent_path(), ec);
        unsigned char key[crypto_secretbox_KEYBYTES];
        crypto_secretbox_keygen(key);
        int w = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (w < 0) return core::Error::Unavailable("cannot create the key file " + key_file.string(), false);
        bool ok = ::write(w, key, sizeof key) == static_cast<ssize_t>(sizeof key) && ::fsync(w) == 0;
        ::close(w);
        sodium_memzero(key, sizeof key);
        if (!ok) return core::Error::Unavailable("cannot write the key file " + key_file.string(), false);
        fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0) {
        return core::Error::NotFound("the secret key file " + key_file.string() +
                                     " is missing (it is not part of backups: copy it back)");
    }
    struct stat st {};
    ::fstat(fd, &st);
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return core::Error{core::ErrorCode::kForbidden,
                           "the secret key file " + key_file.string() +
                               " is readable by others; run chmod 600 on it"};
    }
    std::string key(crypto_secretbox_KEYBYTES, '\0');
    ssize_t n = ::read(fd, key.data(), key.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(key.size())) {
        return core::Error::Invalid("the secret key file " + key_file.string() + " is damaged");
    }
    return key;
}

core::Status SecretStore::Set(const std::string& name, const std::string& value) {
    BEACON_TRY(key, Key(true));
    BEACON_TRY(all, ReadSealed(file_));
    unsigned char nonce[crypto_secretbox_NONCEBYTES];
    randombytes_buf(nonce, sizeof nonce);
    std::string box(value.size() + crypto_secretbox_MACBYTES, '\0');
    crypto_secretbox_easy(reinterpret_cast<unsigned char*>(box.data()),
                          reinterpret_cast<const unsigned char*>(value.data()), value.size(), nonce,
                          reinterpret_cast<const unsigned char*>(key.data()));
    sodium_memzero(key.data(), key.size());
    all[name] = {{"nonce", ToBase64(nonce, sizeof nonce)},
                 {"box", ToBase64(reinterpret_cast<const unsigned char*>(box.data()), box.size())}};
    return WriteSealed(file_, all);
}

namespace {

/// The value sealed in `e` with `key`; nullopt when the key does not open it.
std::optional<std::string> Open(const Json& e, const std::string& key, bool* damaged) {
    auto nonce = FromBase64(e.value("nonce", ""));
    auto box = FromBase64(e.value("box", ""));
    if (!nonce || !box || nonce->size() != crypto_secretbox_NONCEBYTES ||
        box->size() < crypto_secretbox_MACBYTES) {
        *damaged = true;
        return std::nullopt;
    }
    std::string plain(box->size() - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                   reinterpret_cast<const unsigned char*>(box->data()), box->size(),
                                   reinterpret_cast<const unsigned char*>(nonce->data()),
                                   reinterpret_cast<const unsigned char*>(key.data())) != 0) {
        return std::nullopt;
    }
    return plain;
}

Json Seal(const std::string& value, const std::string& key) {
    unsigned char nonce[crypto_secretbox_NONCEBYTES];
    randombytes_buf(nonce, sizeof nonce);
    std::string box(value.size() + crypto_secretbox_MACBYTES, '\0');
    crypto_secretbox_easy(reinterpret_cast<unsigned char*>(box.data()),
                          reinterpret_cast<const unsigned char*>(value.data()), value.size(), nonce,
                          reinterpret_cast<const unsigned char*>(key.data()));
    return {{"nonce", ToBase64(nonce, sizeof nonce)},
            {"box", ToBase64(reinterpret_cast<const unsigned char*>(box.data()), box.size())}};
}

}  // namespace

core::Result<int> SecretStore::RotateKey() {
    BEACON_TRY(old_key, Key(false));
    BEACON_TRY(all, ReadSealed(file_));
    Json next = Json::object();
    std::string new_key(crypto_secretbox_KEYBYTES, '\0');
    crypto_secretbox_keygen(reinterpret_cast<unsigned char*>(new_key.data()));
    int n = 0;
    for (const auto& [name, e] : all.items()) {
        bool damaged = false;
        auto plain = Open(e, old_key, &damaged);
        if (!plain) {
            sodium_memzero(old_key.data(), old_key.size());
            sodium_memzero(new_key.data(), new_key.size());
            return core::Error::Invalid("the stored secret '" + name +
                                        "' cannot be decrypted with the current key; nothing "
                                        "was changed");
        }
        next[name] = Seal(*plain, new_key);
        sodium_memzero(plain->data(), plain->size());
        ++n;
    }
    sodium_memzero(old_key.data(), old_key.size());
    fs::path pending = key_file_;
    pending += ".next";
    std::error_code ec;
    fs::remove(pending, ec);
    int w = ::open(pending.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = w >= 0 && ::write(w, new_key.data(), new_key.size()) ==
                            static_cast<ssize_t>(new_key.size()) && ::fsync(w) == 0;
    if (w >= 0) ::close(w);
    sodium_memzero(new_key.data(), new_key.size());
    if (!ok) {
        fs::remove(pending, ec);
        return core::Error::Unavailable("cannot write " + pending.string(), false);
    }
    BEACON_CHECK(WriteSealed(file_, next));  // from here on the values need the new key
    fs::rename(pending, key_file_, ec);
    if (ec) {
        return core::Error::Unavailable("the values are sealed with " + pending.string() +
                                            " but it could not replace " + key_file_.string() +
                                            ": rename it by hand",
                                        false);
    }
    return n;
}

core::Result<std::optional<std::string>> SecretStore::Get(const std::string& name) const {
    BEACON_TRY(all, ReadSealed(file_));
    if (!all.contains(name)) return std::optional<std::string>();
    BEACON_TRY(key, Key(false));
    const Json& e = all[name];
    {
        // A rotation stopped after re-sealing but before renaming its key into place.
        fs::path pending = key_file_;
        pending += ".next";
        std::error_code ec;
        bool damaged = false;
        if (auto plain = Open(e, key, &damaged)) {
            sodium_memzero(key.data(), key.size());
            return std::optional<std::string>(std::move(*plain));
        }
        if (!damaged && fs::exists(pending, ec)) {
            auto next = KeyAt(pending, false);
            if (next.ok()) {
                auto plain = Open(e, *next, &damaged);
                sodium_memzero(next->data(), next->size());
                if (plain) {
                    sodium_memzero(key.data(), key.size());
                    return std::optional<std::string>(std::move(*plain));
                }
            }
        }
    }
    auto nonce = FromBase64(e.value("nonce", ""));
    auto box = FromBase64(e.value("box", ""));
    if (!nonce || !box || nonce->size() != crypto_secretbox_NONCEBYTES ||
        box->size() < crypto_secretbox_MACBYTES) {
        return core::Error::Invalid("the stored secret '" + name + "' is damaged");
    }
    std::string plain(box->size() - crypto_secretbox_MACBYTES, '\0');
    int rc = crypto_secretbox_open_easy(
        reinterpret_cast<unsigned char*>(plain.data()),
        reinterpret_cast<const unsigned char*>(box->data()), box->size(),
        reinterpret_cast<const unsigned char*>(nonce->data()),
        reinterpret_cast<const unsigned char*>(key.data()));
    sodium_memzero(key.data(), key.size());
    if (rc != 0) {
        return core::Error::Invalid("the stored secret '" + name +
                                    "' cannot be decrypted (another key file, or tampered)");
    }
    return std::optional<std::string>(std::move(plain));
}

core::Status SecretStore::Remove(const std::string& name) {
    BEACON_TRY(all, ReadSealed(file_));
    all.erase(name);
    return WriteSealed(file_, all);
}

core::Result<std::vector<std::string>> SecretStore::Names() const {
    BEACON_TRY(all, ReadSealed(file_));
    std::vector<std::string> out;
    for (const auto& [k, v] : all.items()) out.push_back(k);
    return out;
}

}  // namespace beacon::ops
