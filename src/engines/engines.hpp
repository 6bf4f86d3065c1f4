#pragma once
/// One interface per capability. Each adapter lives in its own file; which adapter runs is
/// explicit configuration (wired in src/app). A configured remote service that fails returns an
/// Error naming the service, its URL and the cause. No adapter ever fabricates media.
/// Every method may be called from several threads at once; long calls honour the stop_token.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/timing.hpp"
#include "core/result.hpp"

namespace beacon::engines {

using core::Json;
using core::Result;
using core::Status;

/// Who made an artifact: shown in the UI and stored with every asset.
struct Provenance {
    std::string engine;   // e.g. "builtin-planner", "ollama", "flite", "elevenlabs", "storyboard"
    std::string model;    // e.g. "llama3.2", "kal16", checkpoint name
    Json parameters = Json::object();
    bool builtin = false;  // true for the built-in local engines (labelled in the UI)
};

/// Receives streamed progress text (LLM tokens, ComfyUI progress) for the job log.
using LogSink = std::function<void(const std::string& line)>;

// ---- script writer -----------------------------------------------------------------------------
struct ScriptRequest {
    std::string prompt;
    std::string title;     // may be empty
    std::string style;
    std::string language;  // language of the narration lines
    double duration_target = 7.0;  // scene durations must sum to this
};
struct ScriptResult {
    core::Script script;
    Provenance provenance;
    std::string raw;  // the raw answer (LLM text or the planner's JSON)
};
class ScriptWriter {
public:
    virtual ~ScriptWriter() = default;
    virtual Result<ScriptResult> Write(const ScriptRequest& req, const LogSink& log,
                                       std::stop_token stop) = 0;
    virtual Provenance Describe() const = 0;
};

// ---- voice ---------------------------------------------------------------------------------------
/// Word timings from the start of the clip (one type program-wide: core::Word).
using WordTiming = core::Word;
struct VoiceRequest {
    std::string text;
    std::string voice;     // engine-specific voice name/id; empty = default
    std::string language;
};
struct VoiceResult {
    std::filesystem::path audio;  // a file the engine wrote into the requested directory (wav or mp3)
    double duration = 0;          // seconds
    std::vector<WordTiming> words;
    Provenance provenance;
};
class VoiceEngine {
public:
    virtual ~VoiceEngine() = default;
    /// Writes the audio into out_dir (a directory the caller owns).
    virtual Result<VoiceResult> Speak(const VoiceRequest& req, const std::filesystem::path& out_dir,
                                      std::stop_token stop) = 0;
    struct Voice {
        std::string id;
        std::string name;
        std::string language;
    };
    virtual Result<std::vector<Voice>> ListVoices() = 0;
    virtual Provenance Describe() const = 0;
};

// ---- pictures ------------------------------------------------------------------------------------
struct PictureRequest {
    core::Scene scene;
    std::string prompt;      // the job's prompt (palette/style words)
    std::string style;
    std::string title;
    int width = 1280;
    int height = 720;
    std::int64_t seed = 0;
    int scene_index = 0;     // 0-based
    int scene_count = 1;
    /// The narration is shown as captions (the default: every final has a caption track), so
    /// text painted on the picture is limited to the scene title and never repeats a line.
    bool captions = true;
    /// A Verse world to render the picture from ({id, owner, revision, title, camera}; issue 17),
    /// null for none. Only an engine whose RendersWorlds() is true may be given one.
    Json world;
    /// A quick sketch for the preview only (asked of engines whose PaintsDrafts() is true): the
    /// same composition as the full picture, at the given (small) size, without layers. Never
    /// stored or cached; the full picture replaces it in the preview stage and the final.
    bool draft = false;
};
struct PictureResult {
    std::filesystem::path image;  // PNG written into out_dir: the full frame
    /// Optional parallax layers back to front (PNG with alpha, same size or wider); empty if none.
    std::vector<std::filesystem::path> layers;
    Provenance provenance;
};
class PictureEngine {
public:
    virtual ~PictureEngine() = default;
    virtual Result<PictureResult> Paint(const PictureRequest& req,
                                        const std::filesystem::path& out_dir, const LogSink& log,
                                        std::stop_token stop) = 0;
    virtual Provenance Describe() const = 0;
    /// True for the engine that renders Verse worlds (src/verse/world_pictures.hpp).
    virtual bool RendersWorlds() const { return false; }
    /// True when a draft (PictureRequest::draft) costs a small fraction of the full picture, so
    /// that painting one first brings the preview forward (the built-in storyboard painter).
    virtual bool PaintsDrafts() const { return false; }
};

// ---- captions ------------------------------------------------------------------------------------
using Cue = core::Cue;  // one type program-wide
struct CaptionRequest {
    std::filesystem::path audio;     // the final narration track
    std::string language;
    std::vector<WordTiming> words;   // known word timings on the final timeline (may be empty)
};
struct CaptionResult {
    std::vector<Cue> cues;
    Provenance provenance;
};
class CaptionEngine {
public:
    virtual ~CaptionEngine() = default;
    virtual Result<CaptionResult> Caption(const CaptionRequest& req, std::stop_token stop) = 0;
    virtual Provenance Describe() const = 0;
};
/// Renders cues as a WebVTT document (core::CuesToWebVtt: the one writer).
std::string ToWebVtt(const std::vector<Cue>& cues);

// ---- translation ---------------------------------------------------------------------------------
class Translator {
public:
    virtual ~Translator() = default;
    virtual Result<std::string> Translate(const std::string& text, const std::string& from,
                                          const std::string& to, std::stop_token stop) = 0;
    virtual Provenance Describe() const = 0;
};

// ---- entities ------------------------------------------------------------------------------------
class EntityExtractor {
public:
    virtual ~EntityExtractor() = default;
    virtual Result<std::vector<std::string>> Extract(const std::string& text,
                                                     std::stop_token stop) = 0;
    virtual Provenance Describe() const = 0;
};

/// The engines a job uses; owned by the app, borrowed by the pipeline. Nullable ones are
/// optional capabilities.
struct EngineSet {
    ScriptWriter* script = nullptr;
    VoiceEngine* voice = nullptr;
    PictureEngine* pictures = nullptr;
    CaptionEngine* captions = nullptr;
    Translator* translator = nullptr;       // optional
    EntityExtractor* entities = nullptr;    // optional
};

/// One line of `beacon doctor`.
struct HealthCheck {
    std::string capability;  // script | voice | pictures | captions | translation | entities
    std::string engine;
    bool ok = false;
    std::string detail;      // what was checked, or the failure in words
};

}  // namespace beacon::engines
