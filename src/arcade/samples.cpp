#include "arcade/samples.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

namespace beacon::arcade {

namespace fs = std::filesystem;
using core::Error;

core::Status ZipFolder(const fs::path& folder, const fs::path& zip) {
    std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(), archive_write_free);
    archive_write_set_format_zip(a.get());
    if (archive_write_open_filename(a.get(), zip.c_str()) != ARCHIVE_OK) {
        return Error::Unavailable("cannot write " + zip.string());
    }
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(folder, ec)) {
        if (e.is_regular_file() && !e.is_symlink()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string data = ss.str();
        std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), archive_entry_free);
        archive_entry_set_pathname(e.get(), fs::relative(f, folder).generic_string().c_str());
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), 0644);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
        if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK ||
            (!data.empty() && archive_write_data(a.get(), data.data(), data.size()) < 0)) {
            return Error::Unavailable("cannot zip " + f.string());
        }
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK) return Error::Unavailable("cannot finish " + zip.string());
    return {};
}

core::Result<int> InstallSamples(ArcadeService& arcade, const fs::path& samples_root) {
    const fs::path marker = arcade.options().dir / "samples-installed";
    std::error_code ec;
    if (fs::exists(marker, ec) || !fs::is_directory(samples_root, ec)) return 0;
    // A catalogue shared with other studios (PostgreSQL) that already holds games: another
    // process installed the samples (or the user has games); never add them a second time.
    BEACON_TRY(existing, arcade.List());
    if (!existing.empty()) {
        std::ofstream(marker) << "catalogue not empty\n";
        return 0;
    }
    std::vector<fs::path> folders;
    for (const auto& e : fs::directory_iterator(samples_root, ec)) {
        if (e.is_directory()) folders.push_back(e.path());
    }
    std::sort(folders.begin(), folders.end());
    int added = 0;
    for (const auto& folder : folders) {
        const fs::path zip = arcade.NewUploadPath();
        auto zipped = ZipFolder(folder, zip);
        NewGame game;
        std::string name = folder.filename().string();
        bool word_start = true;
        for (char& c : name) {
            if (c == '-' || c == '_') {
                c = ' ';
                word_start = true;
            } else if (word_start) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                word_start = false;
            }
        }
        game.title = name;
        game.description = "A sample game shipped with Beacon (uses the Beacon SDK).";
        auto result = zipped.ok() ? arcade.Add(zip, std::move(game)) : core::Result<Game>(zipped.error());
        fs::remove(zip, ec);
        if (!result.ok()) return Error::Internal("sample game " + folder.filename().string() + ": " + result.error().message);
        ++added;
    }
    std::ofstream(marker) << added << "\n";
    return added;
}

}  // namespace beacon::arcade
