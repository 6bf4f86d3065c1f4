#include "arcade/service.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <chrono>
#include <fstream>
#include <random>

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
    return std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(rd());
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

}  // namespace

std::string SniffImageType(std::string_view b) {
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (b.size() >= 3 && b.substr(0, 3) == "\xff\xd8\xff") return "image/jpeg";
    if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) return "image/gif";
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
    return {};
}

ArcadeService::ArcadeService(ArcadeOptions options) : options_(std::move(options)) {}
ArcadeService::~ArcadeService() = default;

core::Result<std::unique_ptr<ArcadeService>> ArcadeService::Open(ArcadeOptions options) {
    std::error_code ec;
    fs::create_directories(options.dir / "games", ec);
    if (ec) return Error::Unavailable("cannot create " + (options.dir / "games").string() + ": " + ec.message(), false);
    // Uploads and extractions a crash left behind are never published: start clean.
    fs::remove_all(options.dir / "staging", ec);
    fs::create_directories(options.dir / "staging", ec);
    if (ec) return Error::Unavailable("cannot create " + (options.dir / "staging").string() + ": " + ec.message(), false);
    std::unique_ptr<ArcadeService> s(new ArcadeService(std::move(options)));
    const std::string where = s->options_.database.empty()
                                  ? (s->options_.dir / "arcade.db").string()
                                  : s->options_.database;
    BEACON_TRY(store, GameStore::Open(where));
    s->store_ = std::move(store);
    // Rows of games whose first version never got published (a crash between the two steps).
    BEACON_CHECK(s->store_->DropUnpublished());
    return s;
}

fs::path ArcadeService::NewUploadPath() { return options_.dir / "staging" / ("upload-" + RandomName()); }
fs::path ArcadeService::GameDir(std::int64_t id) const { return options_.dir / "games" / std::to_string(id); }
fs::path ArcadeService::VersionDir(std::int64_t id, std::int64_t version) const {
    return GameDir(id) / ("v" + std::to_string(version));
}
fs::path ArcadeService::CoverPath(std::int64_t id) const { return GameDir(id) / "cover"; }

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
    std::string cover_type;
    if (game.cover) {
        cover_type = SniffImageType(*game.cover);
        if (cover_type.empty()) return Error::Invalid("cover: send a PNG, JPEG, GIF or WebP picture");
        if (game.cover->size() > options_.max_cover_bytes) {
            return Error{core::ErrorCode::kTooLarge, "cover: larger than " +
                                                         std::to_string(options_.max_cover_bytes) + " bytes"};
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
    fs::remove_all(GameDir(id), ec);  // a leftover of a game whose row a crash removed
    fs::create_directories(GameDir(id), ec);
    fs::rename(staged.first, VersionDir(id, 1), ec);
    auto publish = [&]() -> core::Status {
        if (ec) return Error::Unavailable("cannot publish the game's files: " + ec.message());
        if (game.cover) BEACON_CHECK(WriteCover(id, *game.cover, cover_type));
        return store_->Publish(id, cover_type);
    };
    if (auto st = publish(); !st.ok()) {
        fs::remove_all(staged.first, ec);
        fs::remove_all(GameDir(id), ec);
        (void)store_->Delete(id);
        return st.error();
    }
    return Read(id);
}

core::Result<Game> ArcadeService::AddVersion(std::int64_t id, const fs::path& zip, std::string entry) {
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
    fs::remove_all(VersionDir(id, next), ec);
    fs::rename(staged.first, VersionDir(id, next), ec);
    if (ec) {
        fs::remove_all(staged.first, ec);
        return Error::Unavailable("cannot publish the new version: " + ec.message());
    }
    {
        auto switched = store_->SwitchVersion(
            id, current->version, normalized, static_cast<std::int64_t>(staged.second.files.size()),
            static_cast<std::int64_t>(staged.second.total_bytes), Now());
        if (!switched.ok() || !*switched) {
            fs::remove_all(VersionDir(id, next), ec);
            return switched.ok() ? Error::Conflict("the game changed while the new version was checked; try again")
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
    return Read(id);
}

core::Result<Game> ArcadeService::Read(std::int64_t id) { return store_->Get(id); }

core::Result<Game> ArcadeService::Get(std::int64_t id) { return Read(id); }

core::Result<std::vector<Game>> ArcadeService::List() { return store_->List(); }

core::Status ArcadeService::WriteCover(std::int64_t id, const std::string& bytes, std::string& type_out) {
    type_out = SniffImageType(bytes);
    if (type_out.empty()) return Error::Invalid("cover: send a PNG, JPEG, GIF or WebP picture");
    if (bytes.size() > options_.max_cover_bytes) {
        return Error{core::ErrorCode::kTooLarge, "cover: larger than " + std::to_string(options_.max_cover_bytes) + " bytes"};
    }
    const fs::path tmp = GameDir(id) / ("cover.tmp-" + RandomName());
    {
        std::ofstream out(tmp, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) return Error::Unavailable("cannot write the cover");
    }
    std::error_code ec;
    fs::rename(tmp, CoverPath(id), ec);
    if (ec) {
        fs::remove(tmp, ec);
        return Error::Unavailable("cannot write the cover");
    }
    return {};
}

core::Result<Game> ArcadeService::Patch(std::int64_t id, const GamePatch& patch) {
    std::lock_guard lock(publish_mu_);
    BEACON_TRY(game, Read(id));
    if (patch.title) game.title = *patch.title;
    if (patch.description) game.description = *patch.description;
    if (patch.threads) game.threads = *patch.threads;
    BEACON_CHECK(ValidateText(game.title, game.description));
    if (patch.cover) BEACON_CHECK(WriteCover(id, *patch.cover, game.cover_type));
    BEACON_CHECK(store_->Update(game, Now()));
    return Read(id);
}

core::Status ArcadeService::Delete(std::int64_t id) {
    std::lock_guard lock(publish_mu_);
    BEACON_TRY(game, Read(id));
    BEACON_CHECK(store_->Delete(id));
    std::error_code ec;
    fs::remove_all(GameDir(id), ec);
    return {};
}

core::Result<fs::path> ArcadeService::VersionRoot(std::int64_t id, std::int64_t version) {
    BEACON_TRY(game, Read(id));
    if (version != game.version && version != game.version - 1) {
        return Error::NotFound("game " + std::to_string(id) + " has no version " + std::to_string(version));
    }
    auto dir = VersionDir(id, version);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return Error::NotFound("game " + std::to_string(id) + " has no version " + std::to_string(version));
    return dir;
}

core::Result<std::optional<std::string>> ArcadeService::LoadSave(std::int64_t id, std::int64_t user_id) {
    BEACON_TRY(game, Read(id));
    return store_->LoadSave(id, user_id);
}

core::Status ArcadeService::StoreSave(std::int64_t id, std::int64_t user_id, std::string_view data) {
    if (data.size() > options_.max_save_bytes) {
        return Error{core::ErrorCode::kTooLarge, "a save is at most " + std::to_string(options_.max_save_bytes) + " bytes"};
    }
    BEACON_TRY(game, Read(id));
    return store_->StoreSave(id, user_id, data, Now());
}

}  // namespace beacon::arcade
