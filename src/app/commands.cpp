#include "app/commands.hpp"
#include "app/migrate_modules.hpp"

#include <termios.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>

#include "app/batch.hpp"
#include "app/runtime.hpp"
#include "app/wiki_wiring.hpp"
#include "app/serve.hpp"
#include "jobs/disk_space.hpp"
#include "server/auth.hpp"
#include "storage/migrate.hpp"

namespace beacon::app {

namespace fs = std::filesystem;
using core::Json;

namespace {

void PrintError(const std::string& message) { std::cerr << "beacon: " << message << "\n"; }

/// Loads the config: --config FILE must exist; otherwise beacon.toml is read when present.
core::Result<config::Config> LoadConfig(const CommonOptions& common) {
    bool required = !common.config_file.empty();
    fs::path file = required ? fs::path(common.config_file) : fs::path("beacon.toml");
    auto cfg = config::Load(file, config::ProcessEnvironment(), required);
    if (!cfg.ok()) return cfg;
    if (!common.data_dir.empty()) cfg->data_dir = common.data_dir;
    return cfg;
}

core::Result<std::unique_ptr<Runtime>> Open(const CommonOptions& common) {
    BEACON_TRY(cfg, LoadConfig(common));
    return OpenRuntime(cfg);
}

/// Reads a password: twice with echo off on a terminal, else one line from stdin.
core::Result<std::string> ReadPassword() {
    auto read_line = [](bool echo_off, const char* prompt) -> std::optional<std::string> {
        termios old{};
        if (echo_off) {
            std::cerr << prompt << std::flush;
            tcgetattr(STDIN_FILENO, &old);
            termios quiet = old;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        }
        std::string line;
        bool ok = static_cast<bool>(std::getline(std::cin, line));
        if (echo_off) {
            tcsetattr(STDIN_FILENO, TCSANOW, &old);
            std::cerr << "\n";
        }
        if (!ok) return std::nullopt;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    };
    bool tty = isatty(STDIN_FILENO);
    auto first = read_line(tty, "New password: ");
    if (!first) return core::Error::Invalid("no password given on standard input");
    if (tty) {
        auto second = read_line(true, "Repeat it: ");
        if (!second || *second != *first) return core::Error::Invalid("the passwords differ");
    }
    return *first;
}

}  // namespace

int SetPassword(const CommonOptions& common, const std::string& user_name) {
    auto rt = Open(common);
    if (!rt.ok()) return PrintError(rt.error().message), 1;
    auto password = ReadPassword();
    if (!password.ok()) return PrintError(password.error().message), 1;
    if (auto valid = server::ValidateNewPassword(*password); !valid.ok()) {
        return PrintError(valid.error().message), 1;
    }
    auto hash = server::HashPassword(*password);
    if (!hash.ok()) return PrintError(hash.error().message), 1;
    auto user = (*rt)->db->GetOrCreateUser(user_name);
    if (!user.ok()) return PrintError(user.error().message), 1;
    if (auto st = (*rt)->db->SetPasswordHash(user->id, *hash); !st.ok()) {
        return PrintError(st.error().message), 1;
    }
    std::cout << "Password set for '" << user_name << "'. Existing sessions were signed out.\n";
    return 0;
}

int CreateToken(const CommonOptions& common, const std::string& name) {
    auto rt = Open(common);
    if (!rt.ok()) return PrintError(rt.error().message), 1;
    auto user = (*rt)->db->GetOrCreateUser("admin");
    if (!user.ok()) return PrintError(user.error().message), 1;
    std::string token = server::NewApiToken();
    auto row = (*rt)->db->CreateToken(user->id, name, server::HashToken(token));
    if (!row.ok()) return PrintError(row.error().message), 1;
    std::cerr << "API token '" << name << "' (id " << row->id
              << ") created. Send it as 'Authorization: Bearer <token>'. It is shown once:\n";
    std::cout << token << "\n";
    return 0;
}

int Doctor(const CommonOptions& common) {
    auto cfg = LoadConfig(common);
    if (!cfg.ok()) return PrintError(cfg.error().message), 1;
    std::vector<engines::HealthCheck> checks;
    auto rt = OpenRuntime(*cfg);
    checks.push_back({"storage", "sqlite + files", rt.ok(),
                      rt.ok() ? "data folder " + fs::absolute(cfg->data_dir).string() + " is writable"
                              : rt.error().message});
    // Free space per folder Beacon writes, against the reserve that refuses new jobs.
    const jobs::DiskGuard disk(
        {cfg->data_dir, cfg->data_dir / "media", cfg->data_dir / "tmp"}, cfg->storage.min_free_mb);
    for (const auto& d : disk.Measure()) {
        checks.push_back({"disk", d.dir.filename().string(), d.free_mb >= cfg->storage.min_free_mb,
                          std::to_string(d.free_mb) + " MB free of " + std::to_string(d.total_mb) +
                              " MB in " + d.dir.string() + " (reserve " +
                              std::to_string(cfg->storage.min_free_mb) + " MB)"});
    }
    for (auto& c : CheckTools(*cfg)) checks.push_back(std::move(c));
    for (auto& c : WikiChecks(*cfg)) checks.push_back(std::move(c));
    auto eng = BuildEngines(*cfg);
    if (!eng.ok()) {
        checks.push_back({"engines", "configuration", false, eng.error().message});
    } else {
        for (auto& c : (*eng)->Check()) checks.push_back(std::move(c));
    }
    bool all_ok = true;
    for (const auto& c : checks) {
        all_ok = all_ok && c.ok;
        std::cout << (c.ok ? "ok    " : "FAIL  ") << std::left << std::setw(12) << c.capability
                  << std::setw(20) << c.engine << c.detail << "\n";
    }
    return all_ok ? 0 : 1;
}

int Worker(const CommonOptions& common) {
    // Block the termination signals before any thread starts, so that SIGTERM reaches
    // WaitForTerminationSignal and the pool stops cleanly (its jobs resume elsewhere).
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    auto rt = Open(common);
    if (!rt.ok()) return PrintError(rt.error().message), 1;
    if (auto st = StartWorkers(**rt, ""); !st.ok()) return PrintError(st.error().message), 1;
    std::cerr << "beacon worker: " << (*rt)->cfg.jobs.workers << " worker(s) on "
              << fs::absolute((*rt)->cfg.data_dir).string() << "; Ctrl-C stops\n";
    WaitForTerminationSignal();
    return 0;
}

namespace {

/// `beacon generate --batch FILE`: one bar for the whole batch, a table of every job at the end.
int GenerateBatch(Runtime& rt, const GenerateOptions& o, const Json& defaults) {
    std::string text;
    if (o.batch == "-") {
        std::ostringstream ss;
        ss << std::cin.rdbuf();
        text = ss.str();
    } else {
        std::ifstream in(o.batch, std::ios::binary);
        if (!in) return PrintError("cannot read the batch file " + o.batch), 2;
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    auto plan = ParseBatchFile(text, defaults);
    if (!plan.ok()) return PrintError(o.batch + ": " + plan.error().message), 2;
    const jobs::DiskGuard disk({rt.cfg.data_dir, rt.cfg.data_dir / "media"},
                               rt.cfg.storage.min_free_mb);
    if (auto room = disk.AdmitNewJob(); !room.ok()) return PrintError(room.error().message), 1;
    auto user = rt.db->GetOrCreateUser("admin");
    if (!user.ok()) return PrintError(user.error().message), 1;
    const std::string name = fs::path(o.batch).filename().string();
    auto batch = rt.db->CreateBatch(user->id, name == "-" ? "stdin" : name, o.max_parallel,
                                    plan->items);
    if (!batch.ok()) return PrintError(batch.error().message), 1;
    const std::int64_t id = batch->id;
    const bool tty = isatty(STDERR_FILENO) && !o.json;
    if (!o.json) {
        std::cerr << "beacon: batch " << id << ": " << batch->job_ids.size() << " jobs queued\n";
    }
    std::mutex mu;
    std::condition_variable cv;
    bool changed = true;
    auto sub = rt.events.Subscribe([&](const jobs::Event& e) {
        if (e.type != "job.updated") return;
        std::lock_guard lock(mu);
        changed = true;
        cv.notify_all();
    });
    if (auto st = StartWorkers(rt, ""); !st.ok()) {
        rt.events.Unsubscribe(sub);
        return PrintError(st.error().message), 1;
    }
    storage::Batch last = *batch;
    std::string last_line;
    for (;;) {
        {
            std::unique_lock lock(mu);
            cv.wait_for(lock, std::chrono::seconds(1), [&] { return changed; });
            changed = false;
        }
        auto b = rt.db->GetBatch(id);
        if (!b.ok()) continue;
        last = *b;
        Json view = BatchJson(last);
        const int total = view["total"], finished = view["finished"], progress = view["progress"];
        if (o.json) {
            std::string line = view.dump();
            if (line != last_line) std::cout << line << std::endl;
            last_line = line;
        } else if (tty) {
            int filled = progress / 5;
            std::cerr << "\r\033[K[" << std::string(static_cast<std::size_t>(filled), '#')
                      << std::string(static_cast<std::size_t>(20 - filled), '.') << "] "
                      << std::setw(3) << progress << "% " << finished << "/" << total << " done"
                      << std::flush;
        } else {
            std::string line = std::to_string(finished) + "/" + std::to_string(total) + " done";
            if (line != last_line) std::cerr << "beacon: batch " << id << ": " << line << "\n";
            last_line = line;
        }
        if (finished == total) break;
    }
    rt.events.Unsubscribe(sub);
    if (tty) std::cerr << "\n";
    rt.workers->Stop();
    int failed = 0;
    if (!o.json) std::cout << std::left << std::setw(7) << "JOB" << std::setw(11) << "STATUS"
                           << std::setw(9) << "ITEM" << "PROMPT / ERROR\n";
    for (auto jid : last.job_ids) {
        auto j = rt.db->GetJob(jid);
        if (!j.ok()) continue;
        if (j->status != core::JobState::kCompleted) ++failed;
        if (o.json) continue;
        std::string what = j->error_log.empty() ? j->request.prompt : j->error_log;
        if (what.size() > 70) what = what.substr(0, 67) + "...";
        std::cout << std::left << std::setw(7) << jid << std::setw(11)
                  << core::ToString(j->status) << std::setw(9)
                  << (j->content_id ? std::to_string(*j->content_id) : "-") << what << "\n";
    }
    if (!o.json) {
        std::cout << last.job_ids.size() - static_cast<std::size_t>(failed) << " of "
                  << last.job_ids.size() << " completed\n";
    }
    return failed == 0 ? 0 : 1;
}

}  // namespace

int Generate(const CommonOptions& common, const GenerateOptions& o) {
    auto rt_result = Open(common);
    if (!rt_result.ok()) return PrintError(rt_result.error().message), 1;
    Runtime& rt = **rt_result;
    if (!o.batch.empty()) {
        // The command's other options are every item's defaults.
        Json defaults = Json::object();
        if (!o.title.empty()) defaults["title"] = o.title;
        if (o.duration) defaults["duration_target"] = *o.duration;
        if (!o.style.empty()) defaults["style"] = o.style;
        if (!o.voice.empty()) defaults["voice"] = o.voice;
        if (!o.language.empty()) defaults["language"] = o.language;
        if (!o.preset.empty()) defaults["output_preset"] = o.preset;
        if (o.no_preview) defaults["produce_preview"] = false;
        return GenerateBatch(rt, o, defaults);
    }
    if (o.prompt.empty()) return PrintError("give a prompt, or --batch FILE"), 2;
    Json body = {{"prompt", o.prompt}};
    if (!o.title.empty()) body["title"] = o.title;
    if (o.duration) body["duration_target"] = *o.duration;
    if (!o.style.empty()) body["style"] = o.style;
    if (!o.voice.empty()) body["voice"] = o.voice;
    if (!o.language.empty()) body["language"] = o.language;
    if (!o.preset.empty()) body["output_preset"] = o.preset;
    if (o.no_preview) body["produce_preview"] = false;
    auto req = core::ParseGenerateRequest(body);
    if (!req.ok()) return PrintError(req.error().message), 2;
    const jobs::DiskGuard disk({rt.cfg.data_dir, rt.cfg.data_dir / "media"},
                               rt.cfg.storage.min_free_mb);
    if (auto room = disk.AdmitNewJob(); !room.ok()) return PrintError(room.error().message), 1;
    auto user = rt.db->GetOrCreateUser("admin");
    if (!user.ok()) return PrintError(user.error().message), 1;
    auto job = rt.db->CreateJob(user->id, *req);
    if (!job.ok()) return PrintError(job.error().message), 1;
    const std::int64_t id = job->id;

    std::mutex mu;
    std::condition_variable cv;
    core::Job last = *job;
    bool done = false;
    const bool tty = isatty(STDERR_FILENO) && !o.json;
    std::string last_log;
    auto draw = [&] {
        if (o.json) return;
        if (tty) {
            int filled = last.progress / 5;
            std::cerr << "\r\033[K[" << std::string(static_cast<std::size_t>(filled), '#')
                      << std::string(static_cast<std::size_t>(20 - filled), '.') << "] "
                      << std::setw(3) << last.progress << "% " << core::ToString(last.status);
            if (!last_log.empty()) std::cerr << "  " << last_log.substr(0, 60);
            std::cerr << std::flush;
        }
    };
    auto sub = rt.events.Subscribe([&](const jobs::Event& e) {
        std::lock_guard lock(mu);
        if (e.type == "job.updated" && e.data.value("id", std::int64_t{0}) == id) {
            auto prev = last.status;
            last.status = core::ParseJobState(e.data.value("status", "")).value_or(last.status);
            last.progress = e.data.value("progress", last.progress);
            if (o.json) {
                std::cout << e.ToJson().dump() << std::endl;
            } else if (!tty && prev != last.status) {
                std::cerr << "beacon: job " << id << ": " << core::ToString(last.status) << "\n";
            }
            if (core::IsTerminal(last.status)) done = true;
            draw();
            cv.notify_all();
        } else if (e.type == "job.log" && e.data.value("job_id", std::int64_t{0}) == id) {
            if (o.json) std::cout << e.ToJson().dump() << std::endl;
            last_log = e.data.value("message", "");
            draw();
        }
    });
    if (!o.json) std::cerr << "beacon: job " << id << " queued\n";
    if (auto st = StartWorkers(rt, ""); !st.ok()) {
        rt.events.Unsubscribe(sub);
        return PrintError(st.error().message), 1;
    }
    {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return done; });
    }
    rt.events.Unsubscribe(sub);
    if (tty) std::cerr << "\n";
    rt.workers->Stop();
    auto final_job = rt.db->GetJob(id);
    if (!final_job.ok()) return PrintError(final_job.error().message), 1;
    if (final_job->status != core::JobState::kCompleted) {
        PrintError("job " + std::to_string(id) + " " + std::string(core::ToString(final_job->status)) +
                   (final_job->error_log.empty() ? "" : ": " + final_job->error_log));
        return 1;
    }
    auto content = final_job->content_id ? rt.db->GetContent(*final_job->content_id)
                                         : core::Result<core::Content>(core::Error::NotFound("no library item"));
    if (!content.ok()) return PrintError(content.error().message), 1;
    if (!o.out.empty()) {
        fs::path src = rt.store->LocalPath(content->mp4_key);
        std::error_code ec;
        fs::copy_file(src, o.out, fs::copy_options::overwrite_existing, ec);
        if (ec) return PrintError("cannot copy the final MP4 to " + o.out + ": " + ec.message()), 1;
    }
    if (o.json) {
        std::cout << Json{{"type", "result"}, {"job_id", id}, {"content", core::ToJson(*content)},
                          {"out", o.out}}.dump()
                  << std::endl;
    } else {
        std::cerr << "beacon: done: \"" << content->title << "\" (" << std::fixed
                  << std::setprecision(2) << content->duration << " s) is in the library as item "
                  << content->id << (o.out.empty() ? "" : "; MP4 copied to " + o.out) << "\n";
    }
    return 0;
}

int Migrate(const std::string& from, const std::string& to) {
    // --from sqlite:DIR (or DIR): the data folder whose beacon.db is copied.
    std::string dir = from.starts_with("sqlite:") ? from.substr(7) : from;
    const fs::path db = fs::path(dir) / "beacon.db";
    if (!fs::exists(db)) return PrintError("no SQLite database at " + db.string()), 2;
    if (!to.starts_with("postgresql://") && !to.starts_with("postgres://")) {
        return PrintError("--to must be a postgresql:// URL"), 2;
    }
    auto report = storage::CopySqliteToPostgres(db.string(), to);
    if (!report.ok()) return PrintError(report.error().message), 1;
    for (const auto& [table, rows] : report->rows) {
        std::cout << std::left << std::setw(16) << table << rows << " rows\n";
    }
    // The module stores (wiki, Verse, Arcade, moderation, remote workers) go along.
    auto modules = MigrateModuleStores(dir, to);
    if (!modules.ok()) {
        return PrintError("the studio's tables moved, but a module's did not: " +
                          modules.error().message),
               1;
    }
    for (const auto& [table, rows] : *modules) {
        std::cout << std::left << std::setw(20) << table << rows << " rows\n";
    }
    std::cout << "Metadata moved. Media stay in " << (fs::path(dir) / "media").string()
              << ": keep that folder as data_dir/media, or copy it into your bucket "
                 "(e.g. s3cmd sync) before setting [storage] s3_endpoint.\n";
    return 0;
}

}  // namespace beacon::app
