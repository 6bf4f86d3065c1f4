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
namespace sql = storage::sqlite;

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS games (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  entry TEXT NOT NULL DEFAULT 'index.html',
  threads INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0,
  files INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  cover_type TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS saves (
  game_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (game_id, user_id)
);
)sql";

constexpr const char* kColumns =
    "id, title, description, entry, threads, version, files, bytes, cover_type, created_at, "
    "updated_at";

std::int64_t Now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Game RowToGame(const sql::Statement& s) {
    Game g;
    g.id = s.Int(0);
    g.title = s.Text(1);
    g.description = s.Text(2);
    g.entry = s.Text(3);
    g.threads = s.Int(4) != 0;
    g.version = s.Int(5);
    g.files = s.Int(6);
    g.bytes = s.Int(7);
    g.cover_type = s.Text(8);
    g.created_at = s.Int(9);
    g.updated_at = s.Int(10);
    return g;
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
    const auto db_path = (s->options_.dir / "arcade.db").string();
    if (sqlite3_open_v2(db_path.c_str(), &s->conn_.db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        return Error::Unavailable("cannot open " + db_path, false);
    }
    sqlite3_busy_timeout(s->conn_.db, 5000);
    BEACON_CHECK(sql::Exec(s->conn_.db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"));
    BEACON_CHECK(sql::Exec(s->conn_.db, kSchema));
    // Rows of games whose first version never got published (a crash between the two steps).
    BEACON_CHECK(sql::Exec(s->conn_.db, "DELETE FROM games WHERE version = 0"));
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
        std::lock_guard db_lock(conn_.mu);
        sql::Statement ins(conn_, "INSERT INTO games (title, description, entry, threads, version, "
                                  "files, bytes, created_at, updated_at) VALUES (?,?,?,?,0,?,?,?,?)");
        const auto now = Now();
        ins.Bind(1, game.title).Bind(2, game.description).Bind(3, entry).Bind(4, game.threads)
            .Bind(5, static_cast<std::int64_t>(staged.second.files.size()))
            .Bind(6, static_cast<std::int64_t>(staged.second.total_bytes)).Bind(7, now).Bind(8, now);
        if (auto st = ins.Run(); !st.ok()) {
            fs::remove_all(staged.first, ec);
            return st.error();
        }
        id = sqlite3_last_insert_rowid(conn_.db);
    }
    fs::remove_all(GameDir(id), ec);  // a leftover of a game whose row a crash removed
    fs::create_directories(GameDir(id), ec);
    fs::rename(staged.first, VersionDir(id, 1), ec);
    auto publish = [&]() -> core::Status {
        if (ec) return Error::Unavailable("cannot publish the game's files: " + ec.message());
        if (game.cover) BEACON_CHECK(WriteCover(id, *game.cover, cover_type));
        std::lock_guard db_lock(conn_.mu);
        sql::Statement up(conn_, "UPDATE games SET version = 1, cover_type = ? WHERE id = ?");
        return up.Bind(1, cover_type).Bind(2, id).Run();
    };
    if (auto st = publish(); !st.ok()) {
        fs::remove_all(staged.first, ec);
        fs::remove_all(GameDir(id), ec);
        std::lock_guard db_lock(conn_.mu);
        sql::Statement del(conn_, "DELETE FROM games WHERE id = ?");
        (void)del.Bind(1, id).Run();
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
        std::lock_guard db_lock(conn_.mu);
        sql::Statement up(conn_, "UPDATE games SET version = ?, entry = ?, files = ?, bytes = ?, "
                                 "updated_at = ? WHERE id = ? AND version = ?");
        auto st = up.Bind(1, next).Bind(2, normalized)
                      .Bind(3, static_cast<std::int64_t>(staged.second.files.size()))
                      .Bind(4, static_cast<std::int64_t>(staged.second.total_bytes))
                      .Bind(5, Now()).Bind(6, id).Bind(7, current->version).Run();
        if (!st.ok() || sqlite3_changes(conn_.db) != 1) {
            fs::remove_all(VersionDir(id, next), ec);
            return st.ok() ? Error::Conflict("the game changed while the new version was checked; try again")
                           : st.error();
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

core::Result<Game> ArcadeService::Read(std::int64_t id) {
    std::lock_guard db_lock(conn_.mu);
    sql::Statement s(conn_, std::string("SELECT ") + kColumns + " FROM games WHERE id = ? AND version > 0");
    s.Bind(1, id);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("no game " + std::to_string(id));
    return RowToGame(s);
}

core::Result<Game> ArcadeService::Get(std::int64_t id) { return Read(id); }

core::Result<std::vector<Game>> ArcadeService::List() {
    std::lock_guard db_lock(conn_.mu);
    sql::Statement s(conn_, std::string("SELECT ") + kColumns +
                                " FROM games WHERE version > 0 ORDER BY updated_at DESC, id DESC");
    std::vector<Game> out;
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back(RowToGame(s));
    }
    return out;
}

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
    {
        std::lock_guard db_lock(conn_.mu);
        sql::Statement up(conn_, "UPDATE games SET title = ?, description = ?, threads = ?, "
                                 "cover_type = ?, updated_at = ? WHERE id = ?");
        BEACON_CHECK(up.Bind(1, game.title).Bind(2, game.description).Bind(3, game.threads)
                         .Bind(4, game.cover_type).Bind(5, Now()).Bind(6, id).Run());
    }
    return Read(id);
}

core::Status ArcadeService::Delete(std::int64_t id) {
    std::lock_guard lock(publish_mu_);
    BEACON_TRY(game, Read(id));
    {
        std::lock_guard db_lock(conn_.mu);
        sql::Statement del(conn_, "DELETE FROM games WHERE id = ?");
        BEACON_CHECK(del.Bind(1, id).Run());
        sql::Statement saves(conn_, "DELETE FROM saves WHERE game_id = ?");
        BEACON_CHECK(saves.Bind(1, id).Run());
    }
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
    std::lock_guard db_lock(conn_.mu);
    sql::Statement s(conn_, "SELECT data FROM saves WHERE game_id = ? AND user_id = ?");
    s.Bind(1, id).Bind(2, user_id);
    BEACON_TRY(row, s.Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(s.Text(0));
}

core::Status ArcadeService::StoreSave(std::int64_t id, std::int64_t user_id, std::string_view data) {
    if (data.size() > options_.max_save_bytes) {
        return Error{core::ErrorCode::kTooLarge, "a save is at most " + std::to_string(options_.max_save_bytes) + " bytes"};
    }
    BEACON_TRY(game, Read(id));
    std::lock_guard db_lock(conn_.mu);
    sql::Statement s(conn_, "INSERT INTO saves (game_id, user_id, data, updated_at) VALUES (?,?,?,?) "
                            "ON CONFLICT (game_id, user_id) DO UPDATE SET data = excluded.data, "
                            "updated_at = excluded.updated_at");
    return s.Bind(1, id).Bind(2, user_id).Bind(3, data).Bind(4, Now()).Run();
}

}  // namespace beacon::arcade
