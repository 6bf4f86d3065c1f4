#pragma once
/// The `import` job: the user's own audio or video becomes a library item like any other.
/// Stages: probe (ffprobe; what is not audio/video is refused) → transcode once into the house
/// format (H.264 High/yuv420p at the house frame rate with a keyframe on every segment boundary,
/// AAC 48 kHz stereo; an audio-only file gets a still background) → compose: captions from the
/// ASR engine when one is configured (Whisper; else none, said so in the log), HLS on the house
/// grid, poster and thumbnail, the transcript in the library's search index, the library row.
/// A failed import leaves no item behind (its row is pending until every file is in place).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/model.hpp"
#include "core/result.hpp"
#include "engines/engines.hpp"
#include "jobs/stage.hpp"
#include "media/options.hpp"
#include "storage/object_store.hpp"
#include "storage/work_stores.hpp"

namespace beacon::pipeline {

inline constexpr core::JobKind kImportKind = core::JobKind::kImport;

/// The `file` part of a multipart/form-data body (and the `title` field when present). Pure.
struct UploadedFile {
    std::string filename;
    std::string content;  // the bytes
    std::string title;    // the optional `title` field
};
core::Result<UploadedFile> ParseMultipartUpload(std::string_view content_type,
                                                std::string_view body);

/// What ffprobe says about an uploaded file.
struct MediaKind {
    bool video = false;
    bool audio = false;
    double duration = 0;  // seconds
};
/// Probes `file`: InvalidArgument ("not an audio or video file") when it has neither stream or
/// ffprobe cannot read it.
core::Result<MediaKind> ProbeUpload(const media::MediaOptions& m, const std::filesystem::path& file);

class ImportJob final : public jobs::JobDefinition {
public:
    /// `asr` may be null (no captions). Every reference must outlive the job definition.
    ImportJob(engines::CaptionEngine* asr, storage::WorkStores stores, storage::ObjectStore& store,
              media::MediaOptions media, std::filesystem::path scratch_dir);

    /// Stores `bytes` (already checked by ProbeUpload on `local_copy`) as the job's source and
    /// makes the import job. `title` empty: the file name's stem.
    core::Result<core::Job> Enqueue(std::int64_t user_id, const std::filesystem::path& local_copy,
                                    const std::string& filename, const std::string& title,
                                    const std::string& language);

    std::vector<jobs::Stage> StagesFor(const core::Job& job) override;
    void Release(const core::Job& job) override;

private:
    core::Result<core::Json> RunProbe(jobs::StageContext& ctx);
    core::Result<core::Json> RunTranscode(jobs::StageContext& ctx);
    core::Result<core::Json> RunCompose(jobs::StageContext& ctx);

    engines::CaptionEngine* asr_;
    storage::WorkStores stores_;
    storage::ObjectStore& store_;
    media::MediaOptions media_;
    std::filesystem::path scratch_;
};

}  // namespace beacon::pipeline
