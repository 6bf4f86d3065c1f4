/// `beacon`: the one binary. Subcommands: serve, worker, generate, doctor, user set-password,
/// token create. Errors are printed in words with a non-zero exit status, never as stack traces.
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "app/arcade_wiring.hpp"
#include "app/commands.hpp"
#include "app/import_command.hpp"
#include "app/ops_wiring.hpp"
#include "app/token_commands.hpp"
#include "app/worker_remote.hpp"

namespace {

using namespace beacon;

/// Lets the process use every descriptor its hard limit allows (the soft limit is often 1024):
/// the server keeps its connection cap below whatever limit results.
void RaiseOpenFileLimit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
}

}  // namespace

int main(int argc, char** argv) {
    RaiseOpenFileLimit();
    // A write past a file-size limit fails with EFBIG (reported like a full disk) instead of
    // killing the process.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App cli{"Beacon: a local-first personal studio (prompt to narrated video, library, "
                 "LiveLoop channel)."};
    cli.require_subcommand(1);
    app::CommonOptions common;
    auto add_common = [&](CLI::App* sub) {
        sub->add_option("--data", common.data_dir, "data folder (database + media); default data");
        sub->add_option("--config", common.config_file,
                        "config file; default beacon.toml (optional unless given)");
    };

    auto* serve = cli.add_subcommand("serve", "run the studio: web UI, API, workers, LiveLoop");
    add_common(serve);
    std::string listen;
    serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");

    auto* worker = cli.add_subcommand(
        "worker", "run only job workers: on this data folder's storage, or for a studio over "
                  "HTTP(S) with --server URL --token T; for scale-out");
    add_common(worker);

    auto* migrate = cli.add_subcommand(
        "migrate", "move a library's metadata from SQLite into an empty PostgreSQL database");
    std::string migrate_from;
    std::string migrate_to;
    migrate->add_option("--from", migrate_from, "sqlite:DIR, the data folder to read")->required();
    migrate->add_option("--to", migrate_to, "postgresql://user:pass@host:5432/db")->required();

    auto* generate = cli.add_subcommand("generate", "generate one video from a prompt");
    add_common(generate);
    app::GenerateOptions gen;
    generate->add_option("prompt", gen.prompt, "what the video is about (not with --batch)");
    generate->add_option("--batch", gen.batch,
                         "FILE of prompts: one per line, or JSON Lines of generate requests "
                         "('-' reads stdin); the other options are every item's defaults");
    generate->add_option("--max-parallel", gen.max_parallel,
                         "with --batch: jobs of the batch running at once (default: no cap)")
        ->check(CLI::Range(0, 64));
    generate->add_option("--title", gen.title, "title (default: the script writer's)");
    generate->add_option("--duration", gen.duration, "target length in seconds (default 7)");
    generate->add_option("--style", gen.style, "style word, e.g. cinematic");
    generate->add_option("--voice", gen.voice, "voice name/id of the voice engine");
    generate->add_option("--language", gen.language, "narration language (default en)");
    generate->add_option("--preset", gen.preset, "480p, 720p (default) or 1080p");
    generate->add_flag("--no-preview", gen.no_preview, "skip the low-res preview");
    generate->add_option("--out", gen.out, "copy the final MP4 here");
    generate->add_flag("--json", gen.json, "print one JSON object per line instead of a bar");

    auto* import = cli.add_subcommand("import", "import your own audio or video files into the library");
    add_common(import);
    app::ImportOptions imp;
    import->add_option("files", imp.files, "audio or video files")->required();
    import->add_option("--title", imp.title, "title (one file only; default the file name)");
    import->add_option("--language", imp.language, "spoken language (default en)");
    import->add_flag("--json", imp.json, "print one JSON object per line instead of a bar");

    auto* doctor = cli.add_subcommand("doctor", "check each configured engine and dependency");
    add_common(doctor);

    auto* user = cli.add_subcommand("user", "manage the account");
    user->require_subcommand(1);
    auto* set_password = user->add_subcommand(
        "set-password", "set the admin password (asked for on the terminal, or read from stdin)");
    add_common(set_password);
    std::string user_name = "admin";
    set_password->add_option("--user", user_name, "account name (default admin)");

    auto* token = cli.add_subcommand("token", "manage API tokens for scripts");
    token->require_subcommand(1);
    auto* token_create =
        token->add_subcommand("create", "create an API token; printed on the last line");
    add_common(token_create);
    std::string token_name = "cli";
    token_create->add_option("--name", token_name, "a label for the token");
    app::TokenCommands token_commands(token, add_common);

    auto* game = cli.add_subcommand("game", "manage Arcade games");
    game->require_subcommand(1);
    auto* game_add = game->add_subcommand("add", "add an HTML5 game from a .zip (checked first)");
    add_common(game_add);
    app::GameAddOptions game_opts;
    game_add->add_option("zip", game_opts.zip, "the game's .zip (index.html at its top)")->required();
    game_add->add_option("--title", game_opts.title, "title (default: the file's name)");
    game_add->add_option("--description", game_opts.description, "a line about the game");
    game_add->add_option("--entry", game_opts.entry, "the page that starts it (default index.html)");
    game_add->add_option("--cover", game_opts.cover, "a PNG, JPEG, GIF or WebP picture");
    game_add->add_flag("--threads", game_opts.threads, "serve it cross-origin isolated (threads)");

    app::OpsCommands ops_commands(cli, add_common);
    app::RemoteWorkerCommands remote_commands(cli, worker, add_common);

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }

    if (*serve) return app::Serve(common, listen);
    if (*worker) {
        return remote_commands.remote() ? remote_commands.RunWorker(common) : app::Worker(common);
    }
    if (*migrate) return app::Migrate(migrate_from, migrate_to);
    if (*generate) return app::Generate(common, gen);
    if (*import) return app::ImportFiles(common, imp);
    if (*doctor) return app::Doctor(common);
    if (*set_password) return app::SetPassword(common, user_name);
    if (*token_create) return app::CreateToken(common, token_name);
    if (auto rc = token_commands.Run(common)) return *rc;
    if (*game_add) return app::GameAdd(common, game_opts);
    if (auto rc = ops_commands.Run(common)) return *rc;
    if (auto rc = remote_commands.Run(common)) return *rc;
    return 2;
}
