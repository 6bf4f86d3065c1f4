#pragma once
/// The object store's key layout for library items, in one place: `library/<id>/...`, and the
/// one rule that turns a key into the URL the server answers with (`/media/<key>`).
/// Keys are relative (no leading '/'); rows store keys, only answers carry URLs.
#include <cstdint>
#include <string>
#include <string_view>

namespace beacon::core::object_keys {

/// "library/<id>/": every file of one library item lies under this prefix.
inline std::string LibraryPrefix(std::int64_t content_id) {
    return "library/" + std::to_string(content_id) + "/";
}

/// "library/<id>/<relative>", e.g. LibraryKey(7, "hls/index.m3u8").
inline std::string LibraryKey(std::int64_t content_id, std::string_view relative) {
    std::string key = LibraryPrefix(content_id);
    key += relative;
    return key;
}

/// The item's language tracks (written by the localize job; absent for one language only).
inline std::string LanguagesKey(std::int64_t content_id) {
    return LibraryKey(content_id, "languages.json");
}

/// The URL the server serves `key` at: "/media/<key>"; an empty key (no such file) stays "".
inline std::string MediaUrl(std::string_view key) {
    if (key.empty()) return {};
    std::string url = "/media/";
    url += key;
    return url;
}

}  // namespace beacon::core::object_keys
