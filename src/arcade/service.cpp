#include "arcade/service.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "core/model.hpp"
#include "storage/object_store.hpp"

namespace beacon::arcade {

namespace fs = std::filesystem;
using core::Error;

namespace {

std::int64_t Now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

core::Status ValidateText(const std::string& title, const std::string& description) {
    if (title.empty() || title.size() > 200) return Error::Invalid("title: 1 to 200 characters");
    if (description.size() > 4000) return Error::Invalid("description: at most 4000 characters");
    return {};
}

std::string RandomName() {
    static std::atomic<std::uint64_t> counter{0};
    std::random_device rd;
    return std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
           std::to_string(rd());
}

std::string PercentEncodePath(std::string_view path) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : path) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0xF];
        }
    }
    return out;
}

// Object-store keys (storage::IsValidKey: lowercase, no user text, no extension, so that
// /media/... never serves a game's page as HTML on the studio's origin).
std::string GamePrefix(std::int64_t id) { return "arcade/games/" + std::to_string(id) + "/"; }
std::string VersionPrefix(std::int64_t id, std::int64_t version) {
    return GamePrefix(id) + "v" + std::to_string(version) + "/";
}
std::string FileKey(std::int64_t id, std::int64_t version, std::size_t n) {
    return VersionPrefix(id, version) + "f" + std::to_string(n);
}
/// The version's list of files (JSON: {"files": [[path, bytes], ...]}, file n is f<n>); written
/// after every file, so a version whose list exists is whole.
std::string ListKey(std::int64_t id, std::int64_t version) {
    return VersionPrefix(id, version) + "files";
}

/// A path from a stored list that stays inside the version's folder.
bool SafeRelative(const fs::path& p) {
    if (p.empty() || p.is_absolute()) return false;
    for (const auto& part : p) {
        if (part == ".." || part == "." || part.empty()) return false;
    }
    return true;
}

/// `to` becomes a hard link to `from`, or a copy where links cannot be made.
bool LinkOrCopy(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::create_hard_link(from, to, ec);
    if (!ec) return true;
    ec.clear();
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    return !ec;
}

bool WriteFile(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    return static_cast<bool>(out);
}

}  // namespace

std::string SniffImageType(std::string_view b) {
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (b.size() >= 3 && b.substr(0, 3) == "\xff\xd8\xff") return "image/jpeg";
    if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a"))
        return "image/gif";
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
    return {};
}

ArcadeService::ArcadeService(ArcadeOptions options) : options_(std::move(options)) {}
ArcadeService::~ArcadeService() = default;

core::Result<std::unique_ptr<ArcadeService>> ArcadeService::Open(ArcadeOptions options) {
    std::error_code ec;
    fs::create_directories(options.dir / "games", ec);
    if (ec)
        return Error::Unavailable(
            "cannot create " + (options.dir / "games").string() + ": " + ec.message(), false);
    // Uploads and extractions a crash left behind are never published: start clean.
    fs::remove_all(options.dir / "staging", ec);
    fs::create_directories(options.dir / "staging", ec);
    if (ec)
        return Error::Unavailable(
            "cannot create " + (options.dir / "staging").string() + ": " + ec.message(), false);
    std::unique_ptr<ArcadeService> s(new ArcadeService(std::move(options)));
    s->objects_ = s->options_.store;
    if (!s->objects_) {
        BEACON_TRY(own, storage::OpenFilesystemStore(s->options_.dir / "objects"));
        s->own_objects_ = std::move(own);
        s->objects_ = s->own_objects_.get();
    }
    const std::string where = s->options_.database.empty()
                                  ? (s->options_.dir / "arcade.db").string()
                                  : s->options_.database;
    BEACON_TRY(store, GameStore::Open(where));
    s->store_ = std::move(store);
    // Rows of games whose first version never got published (a crash between the two steps).
    BEACON_CHECK(s->store_->DropUnpublished());
    s->ImportLocalGames();
    return s;
}

fs::path ArcadeService::NewUploadPath() {
    return options_.dir / "staging" / ("upload-" + RandomName());
}
fs::path ArcadeService::GameDir(std::int64_t id) const {
    return options_.dir / "games" / std::to_string(id);
}
fs::path ArcadeService::VersionDir(std::int64_t id, std::int64_t version) const {
    return GameDir(id) / ("v" + std::to_string(version));
}

core::Status ArcadeService::UploadVersion(std::int64_t id, std::int64_t version,
                                          const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) return Error::Unavailable("cannot list the game's files: " + ec.message());
    std::sort(files.begin(), files.end());
    core::Json list = core::Json::array();
    auto fail = [&](const std::string& why) -> core::Status {
        (void)objects_->Delete(VersionPrefix(id, version));
        return Error::Unavailable("cannot store the game's files: " + why);
    };
    for (std::size_t n = 0; n < files.size(); ++n) {
        // PutFile moves the file it is given: hand it a link (or copy), the folder stays whole.
        const fs::path tmp = options_.dir / "staging" / ("put-" + RandomName());
        if (!LinkOrCopy(files[n], tmp)) return fail("cannot stage " + files[n].string());
        const auto size = static_cast<std::int64_t>(fs::file_size(files[n], ec));
        auto st = objects_->PutFile(FileKey(id, version, n), tmp);
        fs::remove(tmp, ec);
        if (!st.ok()) return fail(st.error().message);
        list.push_back({fs::relative(files[n], dir).generic_string(), size});
    }
    if (auto st = objects_->Put(ListKey(id, version), core::Json{{"files", list}}.dump());
        !st.ok()) {
        return fail(st.error().message);
    }
    return {};
}

core::Status ArcadeService::CopyFromStore(std::int64_t id, std::int64_t version) {
    const std::string missing =
        "game " + std::to_string(id) + " has no version " + std::to_string(version);
    auto text = objects_->Get(ListKey(id, version));
    if (!text.ok()) {
        return text.error().code == core::ErrorCode::kNotFound ? Error::NotFound(missing)
                                                               : std::move(text).error();
    }
    core::Json list = core::Json::parse(*text, nullptr, false);
    if (list.is_discarded() || !list.contains("files") || !list["files"].is_array()) {
        return Error::Internal("the stored file list of game " + std::to_string(id) + " version " +
                               std::to_string(version) + " is unreadable");
    }
    const fs::path dir = options_.dir / "staging" / ("c-" + RandomName());
    std::error_code ec;
    auto fail = [&](const std::string& why) -> core::Status {
        fs::remove_all(dir, ec);
        return Error::Unavailable("cannot copy game " + std::to_string(id) +
                                  " from the object store: " + why);
    };
    fs::create_directories(dir, ec);
    std::size_t n = 0;
    for (const auto& entry : list["files"]) {
        if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() ||
            !entry[1].is_number_integer()) {
            return fail("a malformed entry in its file list");
        }
        const fs::path rel = fs::path(entry[0].get<std::string>()).lexically_normal();
        if (!SafeRelative(rel)) return fail("a path outside the game's folder in its file list");
        const fs::path target = dir / rel;
        fs::create_directories(target.parent_path(), ec);
        const std::string key = FileKey(id, version, n++);
        const fs::path local = objects_->LocalPath(key);
        bool done = !local.empty() && fs::is_regular_file(local, ec) && LinkOrCopy(local, target);
        if (!done) {
            auto bytes = objects_->Get(key);
            if (!bytes.ok()) return fail(key + ": " + bytes.error().message);
            if (!WriteFile(target, *bytes)) return fail("cannot write " + target.string());
        }
        if (static_cast<std::int64_t>(fs::file_size(target, ec)) != entry[1].get<std::int64_t>()) {
            return fail(key + " does not have the size its list gives");
        }
    }
    fs::create_directories(GameDir(id), ec);
    fs::rename(dir, VersionDir(id, version), ec);
    if (ec) {
        // Another request made the same copy meanwhile: use that one.
        fs::remove_all(dir, ec);
        if (!fs::is_directory(VersionDir(id, version), ec))
            return fail("cannot move the copy into place");
    }
    // Versions older than the one before this one are not served any more.
    for (const auto& d : fs::directory_iterator(GameDir(id), ec)) {
        auto name = d.path().filename().string();
        if (name.size() > 1 && name[0] == 'v') {
            auto v = std::strtoll(name.c_str() + 1, nullptr, 10);
            if (v > 0 && v < version - 1) fs::remove_all(d.path(), ec);
        }
    }
    return {};
}

void ArcadeService::ImportLocalGames() {
    auto games = store_->List();
    if (!games.ok()) return;
    std::error_code ec;
    for (Game& g : *games) {
        const fs::path dir = VersionDir(g.id, g.version);
        if (!objects_->Exists(ListKey(g.id, g.version)) && fs::is_directory(dir, ec)) {
            if (auto st = UploadVersion(g.id, g.version, dir); !st.ok()) {
                std::cerr << "beacon: arcade: game " << g.id << ": " << st.error().message << "\n";
            }
        }
        const fs::path legacy_cover = GameDir(g.id) / "cover";
        if (!g.cover_type.empty() && g.cover_key.empty() && fs::is_regular_file(legacy_cover, ec)) {
            std::ifstream in(legacy_cover, std::ios::binary);
            std::stringstream bytes;
            bytes << in.rdbuf();
            const std::string key = GamePrefix(g.id) + "cover-" + RandomName();
            if (objects_->Put(key, bytes.str()).ok()) {
                g.cover_key = key;
                if (store_->Update(g, g.updated_at).ok()) fs::remove(legacy_cover, ec);
            }
        }
    }
}

void ArcadeService::SetGameOrigin(std::string origin) {
    std::lock_guard lock(origin_mu_);
    options_.game_origin = std::move(origin);
}

bool ArcadeService::OriginPerGame() const {
    std::lock_guard lock(origin_mu_);
    return options_.game_origin.find("{id}") != std::string::npos;
}

std::string ArcadeService::Origin(std::int64_t id) const {
    std::string origin;
    {
        std::lock_guard lock(origin_mu_);
        origin = options_.game_origin;
    }
    if (auto at = origin.find("{id}"); at != std::string::npos) {
        origin.replace(at, 4, std::to_string(id));
    }
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    return origin;
}

std::string ArcadeService::PlayUrl(const Game& game) const {
    return Origin(game.id) + "/play/" + std::to_string(game.id) + "/" +
           std::to_string(game.version) + "/" + PercentEncodePath(game.entry);
}

core::Result<std::pair<fs::path, ExtractReport>> ArcadeService::Stage(const fs::path& zip,
                                                                      const std::string& entry) {
    const fs::path dir = options_.dir / "staging" / ("x-" + RandomName());
    BEACON_TRY(report, ExtractZip(zip, dir, options_.limits));
    auto where = FindEntry(dir, entry);
    std::error_code ec;
    if (!where.ok()) {
        fs::remove_all(dir, ec);
        return std::move(where).error();
    }
    if (where->root == dir) return std::pair{dir, std::move(report)};
    // A zipped folder: serve that folder as the game's root.
    const fs::path lifted = options_.dir / "staging" / ("x-" + RandomName());
    fs::rename(where->root, lifted, ec);
    fs::remove_all(dir, ec);
    if (!fs::exists(lifted)) return Error::Unavailable("cannot move the extracted game into place");
    return std::pair{lifted, std::move(report)};
}

core::Result<Game> ArcadeService::Add(const fs::path& zip, NewGame game) {
    BEACON_CHECK(ValidateText(game.title, game.description));
    if (game.entry.empty()) game.entry = "index.html";
    BEACON_TRY(entry, NormalizeEntryPath(game.entry, options_.limits.max_path_chars));
    if (game.cover) {
        if (SniffImageType(*game.cover).empty())
            return Error::Invalid("cover: send a PNG, JPEG, GIF or WebP picture");
        if (game.cover->size() > options_.max_cover_bytes) {
            return Error{
                core::ErrorCode::kTooLarge,
                "cover: larger than " + std::to_string(options_.max_cover_bytes) + " bytes"};
        }
    }
    BEACON_TRY(staged, Stage(zip, entry));
    std::error_code ec;
    std::lock_guard lock(publish_mu_);
    std::int64_t id = 0;
    {
        Game row;
        row.title = game.title;
        row.description = game.description;
        row.entry = entry;
        row.threads = game.threads;
        row.files = static_cast<std::int64_t>(staged.second.files.size());
        row.bytes = static_cast<std::int64_t>(staged.second.total_bytes);
        auto inserted = store_->InsertPending(row, Now());
        if (!inserted.ok()) {
            fs::remove_all(staged.first, ec);
            return std::move(inserted).error();
        }
        id = *inserted;
    }
    // Leftovers of a game whose row a crash removed.
    fs::remove_all(GameDir(id), ec);
    (void)objects_->Delete(GamePrefix(id));
    Game row;
    auto publish = [&]() -> core::Status {
        BEACON_CHECK(UploadVersion(id, 1, staged.first));
        fs::create_directories(GameDir(id), ec);
        fs::rename(staged.first, VersionDir(id, 1), ec);
        if (ec) return Error::Unavailable("cannot publish the game's files: " + ec.message());
        if (game.cover) BEACON_CHECK(WriteCover(id, *game.cover, row));
        return store_->Publish(id, row.cover_type, row.cover_key);
    };
    if (auto st = publish(); !st.ok()) {
        fs::remove_all(staged.first, ec);
        fs::remove_all(GameDir(id), ec);
        (void)objects_->Delete(GamePrefix(id));
        (void)store_->Delete(id);
        return st.error();
    }
    return Read(id);
}

core::Result<Game> ArcadeService::AddVersion(std::int64_t id, const fs::path& zip,
                                             std::string entry) {
    BEACON_TRY(before, Read(id));
    if (entry.empty()) entry = before.entry;
    BEACON_TRY(normalized, NormalizeEntryPath(entry, options_.limits.max_path_chars));
    BEACON_TRY(staged, Stage(zip, normalized));
    std::error_code ec;
    std::lock_guard lock(publish_mu_);
    auto current = Read(id);  // it may have changed (or gone) while we extracted
    if (!current.ok()) {
        fs::remove_all(staged.first, ec);
        return std::move(current).error();
    }
    const std::int64_t next = current->version + 1;
    (void)objects_->Delete(VersionPrefix(id, next));  // a leftover of a crash
    if (auto st = UploadVersion(id, next, staged.first); !st.ok()) {
        fs::remove_all(staged.first, ec);
        return st.error();
    }
    fs::remove_all(VersionDir(id, next), ec);
    fs::rename(staged.first, VersionDir(id, next), ec);
    if (ec) {
        fs::remove_all(staged.first, ec);
        (void)objects_->Delete(VersionPrefix(id, next));
        return Error::Unavailable("cannot publish the new version: " + ec.message());
    }
    {
        auto switched = store_->SwitchVersion(
            id, current->version, normalized, static_cast<std::int64_t>(staged.second.files.size()),
            static_cast<std::int64_t>(staged.second.total_bytes), Now());
        if (!switched.ok() || !*switched) {
            fs::remove_all(VersionDir(id, next), ec);
            (void)objects_->Delete(VersionPrefix(id, next));
            return switched.ok()
                       ? Error::Conflict(
                             "the game changed while the new version was checked; try again")
                       : std::move(switched).error();
        }
    }
    // Keep the version just replaced (players still loading it); older ones go.
    for (const auto& d : fs::directory_iterator(GameDir(id), ec)) {
        auto name = d.path().filename().string();
        if (name.size() > 1 && name[0] == 'v') {
            auto v = std::strtoll(name.c_str() + 1, nullptr, 10);
            if (v > 0 && v < current->version) fs::remove_all(d.path(), ec);
        }
    }
    if (current->version > 1) (void)objects_->Delete(VersionPrefix(id, current->version - 1));
    return Read(id);
}

core::Result<Game> ArcadeService::Read(std::int64_t id) { return store_->Get(id); }

core::Result<Game> ArcadeService::Get(std::int64_t id) { return Read(id); }

core::Result<std::vector<Game>> ArcadeService::List() { return store_->List(); }

core::Status ArcadeService::WriteCover(std::int64_t id, const std::string& bytes, Game& game) {
    std::string type = SniffImageType(bytes);
    if (type.empty()) return Error::Invalid("cover: send a PNG, JPEG, GIF or WebP picture");
    if (bytes.size() > options_.max_cover_bytes) {
        return Error{core::ErrorCode::kTooLarge,
                     "cover: larger than " + std::to_string(options_.max_cover_bytes) + " bytes"};
    }
    // A new key for each picture: a machine's cached copy of a key is never out of date.
    const std::string key = GamePrefix(id) + "cover-" + RandomName();
    if (auto st = objects_->Put(key, bytes); !st.ok()) {
        return Error::Unavailable("cannot store the cover: " + st.error().message);
    }
    game.cover_type = std::move(type);
    game.cover_key = key;
    return {};
}

core::Result<fs::path> ArcadeService::CoverFile(const Game& game) {
    const auto none = Error::NotFound("this game has no cover");
    if (game.cover_type.empty()) return none;
    std::error_code ec;
    if (game.cover_key.empty()) {  // a cover not imported into the store (yet)
        fs::path legacy = GameDir(game.id) / "cover";
        if (fs::is_regular_file(legacy, ec)) return legacy;
        return none;
    }
    const fs::path local = objects_->LocalPath(game.cover_key);
    if (!local.empty() && fs::is_regular_file(local, ec)) return local;
    if (!local.empty()) return none;  // the store is on this machine and has no such object
    // A store without local files: this machine's copy (keys never change their bytes).
    std::string name = game.cover_key;
    std::replace(name.begin(), name.end(), '/', '_');
    const fs::path copy = options_.dir / "covers" / name;
    if (fs::is_regular_file(copy, ec)) return copy;
    auto bytes = objects_->Get(game.cover_key);
    if (!bytes.ok()) {
        return bytes.error().code == core::ErrorCode::kNotFound ? none : std::move(bytes).error();
    }
    fs::create_directories(copy.parent_path(), ec);
    const fs::path tmp = options_.dir / "staging" / ("cover-" + RandomName());
    if (!WriteFile(tmp, *bytes)) return Error::Unavailable("cannot write the cover's copy");
    fs::rename(tmp, copy, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return Error::Unavailable("cannot write the cover's copy");
    }
    return copy;
}

core::Result<Game> ArcadeService::Patch(std::int64_t id, const GamePatch& patch) {
    std::lock_guard lock(publish_mu_);
    BEACON_TRY(game, Read(id));
    if (patch.title) game.title = *patch.title;
    if (patch.description) game.description = *patch.description;
    if (patch.threads) game.threads = *patch.threads;
    BEACON_CHECK(ValidateText(game.title, game.description));
    const std::string old_cover = game.cover_key;
    if (patch.cover) BEACON_CHECK(WriteCover(id, *patch.cover, game));
    if (auto st = store_->Update(game, Now()); !st.ok()) {
        if (game.cover_key != old_cover) (void)objects_->Delete(game.cover_key);
        return st.error();
    }
    std::error_code ec;
    if (game.cover_key != old_cover) {
        if (!old_cover.empty()) (void)objects_->Delete(old_cover);
        fs::remove(GameDir(id) / "cover", ec);  // a cover from before the object store
    }
    return Read(id);
}

core::Status ArcadeService::Delete(std::int64_t id) {
    std::lock_guard lock(publish_mu_);
    BEACON_TRY(game, Read(id));
    BEACON_CHECK(store_->Delete(id));
    std::error_code ec;
    fs::remove_all(GameDir(id), ec);
    // The row is gone, so the game is: files the store fails to drop now are only left over.
    if (auto st = objects_->Delete(GamePrefix(id)); !st.ok()) {
        std::cerr << "beacon: arcade: game " << id
                  << "'s stored files stay behind: " << st.error().message << "\n";
    }
    return {};
}

core::Result<fs::path> ArcadeService::VersionRoot(std::int64_t id, std::int64_t version) {
    BEACON_TRY(game, Read(id));
    if (version != game.version && version != game.version - 1) {
        return Error::NotFound("game " + std::to_string(id) + " has no version " +
                               std::to_string(version));
    }
    auto dir = VersionDir(id, version);
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return dir;
    // Uploaded through another process (or this machine's copy was removed): copy it here.
    BEACON_CHECK(CopyFromStore(id, version));
    return dir;
}

core::Result<std::optional<std::string>> ArcadeService::LoadSave(std::int64_t id,
                                                                 std::int64_t user_id) {
    BEACON_TRY(game, Read(id));
    return store_->LoadSave(id, user_id);
}

core::Status ArcadeService::StoreSave(std::int64_t id, std::int64_t user_id,
                                      std::string_view data) {
    if (data.size() > options_.max_save_bytes) {
        return Error{core::ErrorCode::kTooLarge,
                     "a save is at most " + std::to_string(options_.max_save_bytes) + " bytes"};
    }
    BEACON_TRY(game, Read(id));
    return store_->StoreSave(id, user_id, data, Now());
}

}  // namespace beacon::arcade
