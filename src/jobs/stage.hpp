#pragma once
/// A job runs as a sequence of resumable stages. Each stage belongs to one of the brief's states,
/// records its outputs when it finishes, and is skipped when a restarted job finds those outputs.
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::jobs {

/// What a running stage can see and do. Implemented by the worker; thread-safe.
class StageContext {
public:
    virtual ~StageContext() = default;
    virtual const core::Job& job() const = 0;
    /// Set when the job is canceled or the process shuts down; long work must honour it.
    virtual std::stop_token stop_token() const = 0;
    /// Overall progress 0..100 (monotonic within a run; lower values are ignored).
    virtual void SetProgress(int progress) = 0;
    /// Appends to the job's log (and publishes job.log); kCmd: a command line that was run.
    virtual void Log(const std::string& message, core::LogLevel level = core::LogLevel::kInfo) = 0;
    /// Outputs recorded by an earlier finished stage; null when that stage has not finished.
    virtual core::Json StageOutputs(const std::string& stage) const = 0;
    /// Sets URL columns on the job (preview_url, final_url, thumbnail_url, vtt_url) and
    /// publishes job.updated at once (e.g. the moment the preview is playable).
    virtual void SetUrls(const core::Json& urls) = 0;
};

struct Stage {
    std::string name;           // unique within the job, e.g. "script", "voice", "preview"
    core::JobState state;       // the brief's state shown while it runs
    int progress_start = 0;     // overall progress when it starts
    int progress_end = 100;     // overall progress when it ends
    /// Does the work; returns the outputs to record (a JSON object).
    std::function<core::Result<core::Json>(StageContext&)> run;
};

/// Builds the stages for a job (the generation pipeline provides it). The last stage returns
/// {"content_id": N} when the job produced a library item.
class JobDefinition {
public:
    virtual ~JobDefinition() = default;
    virtual std::vector<Stage> StagesFor(const core::Job& job) = 0;
    /// Called when a job stops short of completion (failed, canceled, waiting to retry): frees
    /// its working files (a job that failed on a full disk gives the space back at once).
    virtual void Release(const core::Job& job) { (void)job; }
};

}  // namespace beacon::jobs
