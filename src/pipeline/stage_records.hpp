#pragma once
/// The generation job's recorded stage outputs as typed values, and their JSON form (the
/// `stages` column, also read by the web studio) defined here only. A stage returns its record
/// and the next stage receives it typed (JobRun); JSON is read back only when a job resumes in
/// a new run.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "core/timing.hpp"
#include "engines/engines.hpp"

namespace beacon::pipeline {

/// Stage names (fixed: recorded in the database).
inline constexpr const char* kScriptStage = "script";
inline constexpr const char* kScenesStage = "scenes";
inline constexpr const char* kPreviewStage = "preview";
inline constexpr const char* kFinalStage = "final";
inline constexpr const char* kComposeStage = "compose";
/// Recorded edits from RegenerateScene: {"<n>": {"description"?, "lines"?, "seed"}}.
inline constexpr const char* kSceneEditsRecord = "scene_edits";
/// One finished scene, recorded the moment its voice and picture both exist ("scene:<n>").
std::string SceneRecordName(int n);

struct ScriptRecord {
    core::Script script;
    engines::Provenance provenance;
    std::string key;  // the stored script.json
};

struct SceneRecord {
    int n = 0;  // 1-based
    std::string voice_key;
    std::string voice_hash;
    double voice_duration = 0;          // seconds
    std::vector<core::Word> words;      // relative to the voice clip
    std::string picture_key;
    std::string picture_hash;
    std::vector<std::string> layer_keys;  // parallax layers back to front
    std::int64_t seed = 0;
    bool cached = false;  // voice and picture both came from the cache
};

struct ScenesRecord {
    std::vector<SceneRecord> scenes;  // in scene order
    bool early_preview = false;       // a preview was published before every picture existed
};

struct PreviewRecord {
    std::string preview_key;
    std::string thumbnail_key;
    double duration = 0;
};

struct FinalRecord {
    std::string encode_key;
    std::string narration_key;
    std::string hash;  // content address of the encode's inputs
    bool reused = false;
    double duration = 0;
    std::vector<core::Word> words;  // on the output timeline
    std::vector<core::Cue> cues;    // burned-in captions (empty unless burned)
};

struct SceneEdit {
    std::optional<std::string> description;
    std::optional<std::vector<std::string>> lines;
    std::optional<std::int64_t> seed;
};
/// Scene number (1-based) → its edit.
using SceneEdits = std::map<int, SceneEdit>;

core::Json ToJson(const ScriptRecord& r);
core::Json ToJson(const SceneRecord& r);
core::Json ToJson(const ScenesRecord& r);
core::Json ToJson(const PreviewRecord& r);
core::Json ToJson(const FinalRecord& r);
core::Json ToJson(const SceneEdits& e);

/// Each parser reads what ToJson wrote (and the same shape recorded by earlier versions); an
/// Internal error names the stage when the record is missing or malformed.
core::Result<ScriptRecord> ParseScriptRecord(const core::Json& j);
/// Null when `j` is not a finished scene record (a resumed job renders that scene again).
std::optional<SceneRecord> ParseSceneRecord(const core::Json& j);
core::Result<ScenesRecord> ParseScenesRecord(const core::Json& j);
core::Result<PreviewRecord> ParsePreviewRecord(const core::Json& j);
core::Result<FinalRecord> ParseFinalRecord(const core::Json& j);
/// Malformed entries are skipped (they were validated when recorded).
SceneEdits ParseSceneEdits(const core::Json& j);

}  // namespace beacon::pipeline
