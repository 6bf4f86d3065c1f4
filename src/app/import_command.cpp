#include "app/import_command.hpp"

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <mutex>

#include "app/runtime.hpp"
#include "config/config.hpp"
#include "pipeline/import.hpp"

namespace beacon::app {
namespace {

namespace fs = std::filesystem;

void PrintError(const std::string& message) { std::cerr << "beacon: " << message << "\n"; }

}  // namespace

int ImportFiles(const CommonOptions& common, const ImportOptions& o) {
    if (o.files.empty()) return PrintError("give at least one FILE to import"), 2;
    if (!o.title.empty() && o.files.size() > 1) return PrintError("--title needs exactly one FILE"), 2;
    const bool required = !common.config_file.empty();
    auto cfg = config::Load(required ? fs::path(common.config_file) : fs::path("beacon.toml"),
                            config::ProcessEnvironment(), required);
    if (!cfg.ok()) return PrintError(cfg.error().message), 1;
    if (!common.data_dir.empty()) cfg->data_dir = common.data_dir;
    const media::MediaOptions& media = cfg->media;
    // Every file is checked before any work starts.
    for (const auto& f : o.files) {
        auto kind = pipeline::ProbeUpload(media, f);
        if (!kind.ok()) return PrintError(f + ": " + kind.error().message), 2;
    }
    auto rt_result = OpenRuntime(*cfg);
    if (!rt_result.ok()) return PrintError(rt_result.error().message), 1;
    Runtime& rt = **rt_result;
    auto user = rt.db->GetOrCreateUser("admin");
    if (!user.ok()) return PrintError(user.error().message), 1;
    if (auto st = StartWorkers(rt, ""); !st.ok()) return PrintError(st.error().message), 1;
    const bool tty = isatty(STDERR_FILENO) && !o.json;
    int failures = 0;
    for (const auto& f : o.files) {
        // The job takes its own copy (the store moves it into place).
        const fs::path copy = cfg->data_dir / "tmp" / ("cli-import-" + std::to_string(::getpid()) +
                                                      fs::path(f).extension().string());
        std::error_code ec;
        fs::create_directories(copy.parent_path(), ec);
        fs::copy_file(f, copy, fs::copy_options::overwrite_existing, ec);
        if (ec) return PrintError("cannot copy " + f + ": " + ec.message()), 1;
        std::mutex mu;
        std::condition_variable cv;
        std::int64_t id = 0;
        int progress = 0;
        core::JobState state = core::JobState::kQueued;
        std::string last_log;
        auto sub = rt.events.Subscribe([&](const jobs::Event& e) {
            std::lock_guard lock(mu);
            const bool mine = e.data.value(e.type == "job.log" ? "job_id" : "id", std::int64_t{0}) == id;
            if (!mine || id == 0) return;
            if (o.json) std::cout << e.ToJson().dump() << std::endl;
            if (e.type == "job.updated") {
                state = core::ParseJobState(e.data.value("status", "")).value_or(state);
                progress = e.data.value("progress", progress);
            } else if (e.type == "job.log") {
                last_log = e.data.value("message", "");
            }
            if (tty) {
                const int filled = progress / 5;
                std::cerr << "\r\033[K" << fs::path(f).filename().string().substr(0, 24) << " ["
                          << std::string(static_cast<std::size_t>(filled), '#')
                          << std::string(static_cast<std::size_t>(20 - filled), '.') << "] "
                          << std::setw(3) << progress << "% " << core::ToString(state) << std::flush;
            }
            cv.notify_all();
        });
        core::Result<core::Job> job = core::Error::Internal("not made");
        {
            std::lock_guard lock(mu);
            job = rt.importer->Enqueue(user->id, copy, fs::path(f).filename().string(), o.title,
                                       o.language.empty() ? "en" : o.language);
            if (job.ok()) id = job->id;
        }
        if (!job.ok()) {
            rt.events.Unsubscribe(sub);
            PrintError(f + ": " + job.error().message);
            ++failures;
            continue;
        }
        rt.workers->Notify();
        for (;;) {
            std::unique_lock lock(mu);
            cv.wait_for(lock, std::chrono::seconds(1));
            auto now = rt.db->GetJob(id);
            if (now.ok() && core::IsTerminal(now->status)) break;
        }
        rt.events.Unsubscribe(sub);
        if (tty) std::cerr << "\n";
        auto done = rt.db->GetJob(id);
        if (!done.ok() || done->status != core::JobState::kCompleted || !done->content_id) {
            PrintError(f + ": import " + (done.ok() ? std::string(core::ToString(done->status)) +
                                                          (done->error_log.empty() ? "" : ": " + done->error_log)
                                                    : done.error().message));
            ++failures;
            continue;
        }
        if (o.json) {
            std::cout << core::Json{{"type", "result"}, {"file", f}, {"job_id", id},
                                    {"content_id", *done->content_id}}.dump()
                      << std::endl;
        } else {
            std::cout << f << " → library item " << *done->content_id << "\n";
        }
    }
    rt.workers->Stop();
    return failures == 0 ? 0 : 1;
}

}  // namespace beacon::app
