#pragma once
/// Service keys (the ElevenLabs key) encrypted at rest: libsodium secretbox (XSalsa20-Poly1305)
/// with a random 32-byte key in a file created with mode 0600. The sealed values live in
/// `<data>/secrets.json` ({"name": {"nonce": base64, "box": base64}}). Values are never logged.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace beacon::ops {

class SecretStore {
public:
    /// `file`: the sealed values; `key_file`: the key, created (0600) on the first Set.
    SecretStore(std::filesystem::path file, std::filesystem::path key_file);

    /// Seals and stores a value under `name` (replacing an older one). Atomic file write.
    core::Status Set(const std::string& name, const std::string& value);
    /// The value, nullopt when none is stored; an error when it cannot be decrypted (wrong or
    /// missing key, tampered file) or the key file is readable by others.
    core::Result<std::optional<std::string>> Get(const std::string& name) const;
    core::Status Remove(const std::string& name);
    /// Names stored (never values).
    core::Result<std::vector<std::string>> Names() const;
    /// A new key: every value is re-sealed with it and the key file replaced. Crash-safe: the
    /// new key goes to `<key_file>.next` first, then the sealed file is replaced atomically,
    /// then `.next` is renamed over the key file; Get tries `.next` when the key file cannot
    /// open a value (a rotation that stopped half-way). Answers how many values were re-sealed.
    core::Result<int> RotateKey();

private:
    core::Result<std::string> Key(bool create) const;
    core::Result<std::string> KeyAt(const std::filesystem::path& file, bool create) const;
    std::filesystem::path file_;
    std::filesystem::path key_file_;
};

/// The names `beacon secret set` accepts.
bool IsKnownSecret(const std::string& name);

}  // namespace beacon::ops
