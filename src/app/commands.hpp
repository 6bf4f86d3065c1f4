#pragma once
/// The CLI subcommands. Each returns the process exit status.
#include <optional>
#include <string>

namespace beacon::app {

struct CommonOptions {
    std::string data_dir;     // "" = from config (default "data")
    std::string config_file;  // "" = beacon.toml if present
};

struct GenerateOptions {
    std::string prompt;
    std::string title;
    std::optional<double> duration;
    std::string style;
    std::string voice;
    std::string language;
    std::string preset;
    bool no_preview = false;
    std::string out;
    bool json = false;
    std::string batch;     // --batch FILE: one prompt per line, or JSON Lines
    int max_parallel = 0;  // --max-parallel: jobs of the batch at once (0: no cap)
};

int Serve(const CommonOptions& common, const std::string& listen);
int Worker(const CommonOptions& common);
/// `beacon migrate --from sqlite:DIR --to postgresql://...`: the library's metadata into an
/// empty PostgreSQL database (ids kept).
int Migrate(const std::string& from, const std::string& to);
int Generate(const CommonOptions& common, const GenerateOptions& options);
int Doctor(const CommonOptions& common);
int SetPassword(const CommonOptions& common, const std::string& user);
int CreateToken(const CommonOptions& common, const std::string& name);

}  // namespace beacon::app
