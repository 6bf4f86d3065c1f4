#pragma once
/// The `localize` job: adds a language to a library item. Stages: translate the item's lines
/// (its caption cues merged into sentences) → voice each line in the target language and fit it
/// to its slot (each line starts within ±50 ms of its source cue; speech 1.1x faster at most
/// when it is too long, more only as a logged last resort; silence when it is short) → publish: a new HLS audio rendition audio_<lang>
/// and subtitle rendition subs_<lang> on the video's segment grid (master playlist replaced
/// atomically), the MP4 remuxed with the language-tagged extra streams (no video re-encode),
/// captions_<lang>.vtt and languages.json beside them. `captions_only` makes only subtitles.
/// A failure leaves the item exactly as it was.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "engines/engines.hpp"
#include "jobs/event_bus.hpp"
#include "jobs/stage.hpp"
#include "media/options.hpp"
#include "storage/content_store.hpp"
#include "storage/job_store.hpp"
#include "storage/object_store.hpp"

namespace beacon::pipeline {

inline constexpr core::JobKind kLocalizeKind = core::JobKind::kLocalize;

/// POST /api/v1/content/{id}/languages body.
struct LocalizeRequest {
    std::string language;  // ISO 639-1 ("es")
    std::string voice;     // voice engine's id; empty = the engine's voice for the language
    bool captions_only = false;
};
/// Unknown fields, wrong types and bad language codes are InvalidArgument naming the field.
core::Result<LocalizeRequest> ParseLocalizeRequest(const core::Json& body);
core::Json ToJson(const LocalizeRequest& r);

/// One line to dub: where it sits on the item's timeline and what it says.
struct SourceLine {
    double start = 0;  // seconds
    double end = 0;
    std::string text;
};
/// Merges caption cues into sentences: a cue that does not end a sentence (. ! ? …) continues
/// into the next when the gap is under `max_gap` seconds. Pure.
std::vector<SourceLine> SentencesFromCues(const std::vector<engines::Cue>& cues,
                                          double max_gap = 0.35);

/// How a dubbed line is fitted into its slot (the time until the next line starts).
struct FitPlan {
    double rate = 1.0;   // speaking-rate factor asked of the voice (re-synthesis), 1..kMaxRate
    double tempo = 1.0;  // pitch-preserving tempo applied afterwards, 1..kMaxTempo
    /// rate * tempo > kMaxSpeed: the line could not be fitted within the 0.9-1.1x.
    bool over_speed = false;
};
/// The goal: speech never more than 1.1x faster in all (the voice's own rate times the tempo).
inline constexpr double kMaxSpeed = 1.1;
/// Last resort for a line that does not fit its slot at kMaxSpeed even with the onset tolerance:
/// the voice's own rate (natural speech, not a stretch) up to 1.3x; the picture cannot be held
/// for one language because every audio rendition shares the video's timeline (docs/languages.md).
inline constexpr double kMaxRate = 1.3;
inline constexpr double kMaxTempo = 1.1;
/// How far a dubbed line may start before or after its source cue to make room (the onset
/// tolerance is ±100 ms; eSpeak's leading silence takes part of it).
inline constexpr double kOnsetShift = 0.05;
/// Silence kept between two dubbed lines.
inline constexpr double kLineGap = 0.05;
/// `natural`: the line's length at rate 1; `slot`: seconds available. `can_rate`: whether the
/// voice can speak faster itself. Short lines are padded (rate = tempo = 1); long ones are sped
/// up by the voice first, then by tempo; beyond kMaxSpeed only when nothing else fits. Pure.
/// `max_speed` caps rate × tempo: by default the last resort (kMaxRate × kMaxTempo); kMaxSpeed
/// when the picture is held for what does not fit.
FitPlan PlanFit(double natural, double slot, bool can_rate,
                double max_speed = kMaxRate * kMaxTempo);
/// The tempo that fits `duration` into `slot`, within 1..kMaxTempo. Pure.
double TempoFor(double duration, double slot);

/// Where a dubbed line goes. It starts at its cue, or up to kOnsetShift later when the line
/// before runs on; a line too long for its slot starts up to kOnsetShift early (when the line
/// before has ended) and may run up to kOnsetShift into the next cue, which then starts that
/// much late. Whatever still does not fit at kMaxSpeed runs over (logged). Pure.
struct DubPlacement {
    double start = 0;
    double slot = 0;  // seconds from start the line may take
    FitPlan plan;
};
/// `cue`: the source line's start; `next`: the next line's cue (or the item's end when
/// `last`); `prev_end`: where the previous dubbed line ends (negative for the first).
DubPlacement PlaceDubLine(double cue, double next, bool last, double prev_end, double natural,
                          bool can_rate, double max_speed = kMaxRate * kMaxTempo);

/// Caption cues for dubbed lines placed at [start, end): words spread over each line by
/// length, grouped within ≤ 42 characters a line, ≤ 2 lines, ≤ 6 s a cue. Pure.
std::vector<engines::Cue> CuesForLines(const std::vector<SourceLine>& lines);

/// ISO 639-1 targets reachable from `from` through Apertium `pairs` ("eng-spa"): pairs whose
/// source is `from` (either code form) map their target back to ISO 639-1 where one exists. Pure.
std::vector<std::string> ApertiumTargets(const std::vector<std::string>& pairs,
                                         const std::string& from);
/// Languages Beacon offers with an LLM translator (Ollama): those eSpeak NG also speaks.
std::vector<std::string> LlmTargets(const std::string& from);

/// The item's languages.json: [{language, original, dub, captions, engines{...}, job_id}].
core::Json ReadLanguages(storage::ObjectStore& store, const core::Content& c);

struct LocalizeOptions {
    /// Voice for dubs in any language (eSpeak NG built-in, or ElevenLabs multilingual).
    engines::VoiceEngine* voice = nullptr;
    /// Languages the translator can reach from `from` (ISO 639-1); empty = none.
    std::function<std::vector<std::string>(const std::string& from)> targets;
};

class LocalizeJob final : public jobs::JobDefinition {
public:
    /// `translator`, `queue` (where Enqueue makes jobs), `library` (the items it reads and
    /// updates), `store` and `events` must outlive the job definition. Thread-safe.
    LocalizeJob(engines::Translator& translator, LocalizeOptions options,
                storage::JobStore& queue, storage::ContentStore& library,
                storage::ObjectStore& store, jobs::EventBus& events, media::MediaOptions media,
                std::filesystem::path scratch_dir);

    /// Checks a request against an item before a job is made: NotFound (no item), Conflict
    /// (language present, or the item's own), InvalidArgument (a pair the translator does not
    /// have, naming the supported targets; no captions to translate).
    core::Status Check(const core::Content& c, const LocalizeRequest& r);
    /// Makes the localize job (validated by Check) for user `user_id`.
    core::Result<core::Job> Enqueue(std::int64_t user_id, const core::Content& c,
                                    const LocalizeRequest& r);
    /// Removes a language from an item (not its original): HLS renditions (master first), the
    /// MP4's streams, its captions file and languages.json; publishes content.updated.
    core::Result<core::Content> Remove(std::int64_t content_id, const std::string& language);
    /// Targets reachable from `from`, sorted.
    std::vector<std::string> Targets(const std::string& from) const;

    std::vector<jobs::Stage> StagesFor(const core::Job& job) override;
    void Release(const core::Job& job) override;

private:
    core::Result<core::Json> RunTranslate(jobs::StageContext& ctx);
    core::Result<core::Json> RunDub(jobs::StageContext& ctx);
    core::Result<core::Json> RunPublish(jobs::StageContext& ctx);
    /// The held cut of a dubbed language from the dub stage's `held` output: the item's picture
    /// re-encoded with the holds, the held dub and `lang` captions, written to `out_mp4`, and
    /// packaged as HLS into `out_hls` (a folder under the item's hls/ folder, made here).
    core::Status MakeHeldCut(jobs::StageContext& ctx, const std::filesystem::path& mp4,
                             const core::Json& held, const std::string& lang,
                             const std::filesystem::path& out_mp4,
                             const std::filesystem::path& out_hls);

    engines::Translator& translator_;
    LocalizeOptions options_;
    storage::JobStore& queue_;
    storage::ContentStore& library_;
    storage::ObjectStore& store_;
    jobs::EventBus& events_;
    media::MediaOptions media_;
    std::filesystem::path scratch_;
};

}  // namespace beacon::pipeline
