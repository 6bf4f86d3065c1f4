#include "pipeline/stage_records.hpp"

#include "core/object_keys.hpp"

namespace beacon::pipeline {
namespace {

using core::Error;
using core::Json;
using core::Result;
namespace object_keys = core::object_keys;

std::vector<std::string> Strings(const Json& j) {
    std::vector<std::string> out;
    if (!j.is_array()) return out;
    for (const auto& s : j) {
        if (s.is_string()) out.push_back(s.get<std::string>());
    }
    return out;
}

}  // namespace

std::string SceneRecordName(int n) { return "scene:" + std::to_string(n); }

Json ToJson(const ScriptRecord& r) {
    return Json{{"script", core::ToJson(r.script)},
                {"provenance",
                 {{"engine", r.provenance.engine},
                  {"model", r.provenance.model},
                  {"parameters", r.provenance.parameters},
                  {"builtin", r.provenance.builtin}}},
                {"key", r.key},
                {"url", object_keys::MediaUrl(r.key)}};
}

Json ToJson(const SceneRecord& r) {
    return Json{{"n", r.n},
                {"voice_key", r.voice_key},
                {"voice_url", object_keys::MediaUrl(r.voice_key)},
                {"voice_duration", r.voice_duration},
                {"words", r.words},
                {"voice_hash", r.voice_hash},
                {"picture_key", r.picture_key},
                {"picture_url", object_keys::MediaUrl(r.picture_key)},
                {"layer_keys", r.layer_keys},
                {"picture_hash", r.picture_hash},
                {"seed", r.seed},
                {"cached", r.cached}};
}

Json ToJson(const ScenesRecord& r) {
    Json scenes = Json::array();
    for (const auto& s : r.scenes) scenes.push_back(ToJson(s));
    return Json{{"scenes", scenes}, {"early_preview", r.early_preview}};
}

Json ToJson(const PreviewRecord& r) {
    return Json{{"preview_key", r.preview_key},
                {"preview_url", object_keys::MediaUrl(r.preview_key)},
                {"thumbnail_key", r.thumbnail_key},
                {"thumbnail_url", object_keys::MediaUrl(r.thumbnail_key)},
                {"duration", r.duration}};
}

Json ToJson(const FinalRecord& r) {
    return Json{{"encode_key", r.encode_key}, {"narration_key", r.narration_key},
                {"hash", r.hash},             {"reused", r.reused},
                {"duration", r.duration},     {"words", r.words},
                {"cues", r.cues}};
}

Json ToJson(const SceneEdits& e) {
    Json all = Json::object();
    for (const auto& [n, edit] : e) {
        Json one = Json::object();
        if (edit.description) one["description"] = *edit.description;
        if (edit.lines) one["lines"] = *edit.lines;
        if (edit.seed) one["seed"] = *edit.seed;
        all[std::to_string(n)] = one;
    }
    return all;
}

Result<ScriptRecord> ParseScriptRecord(const Json& j) {
    if (!j.is_object() || !j.contains("script")) {
        return Error::Internal("pipeline: the script stage has no recorded script");
    }
    ScriptRecord r;
    BEACON_TRY(script, core::ParseScript(j["script"]));
    r.script = std::move(script);
    const Json p = j.value("provenance", Json::object());
    if (p.is_object()) {
        r.provenance.engine = p.value("engine", "");
        r.provenance.model = p.value("model", "");
        r.provenance.parameters = p.value("parameters", Json::object());
        r.provenance.builtin = p.value("builtin", false);
    }
    r.key = j.value("key", "");
    return r;
}

std::optional<SceneRecord> ParseSceneRecord(const Json& j) {
    if (!j.is_object() || !j.contains("voice_key") || !j["voice_key"].is_string()) {
        return std::nullopt;
    }
    SceneRecord r;
    r.n = j.value("n", 0);
    r.voice_key = j.value("voice_key", "");
    r.voice_hash = j.value("voice_hash", "");
    r.voice_duration = j.value("voice_duration", 0.0);
    r.words = core::WordsFromJson(j.value("words", Json::array()));
    r.picture_key = j.value("picture_key", "");
    r.picture_hash = j.value("picture_hash", "");
    r.layer_keys = Strings(j.value("layer_keys", Json::array()));
    r.seed = j.value("seed", std::int64_t{0});
    r.cached = j.value("cached", false);
    return r;
}

Result<ScenesRecord> ParseScenesRecord(const Json& j) {
    if (!j.is_object() || !j.contains("scenes") || !j["scenes"].is_array()) {
        return Error::Internal("pipeline: the scenes stage has no recorded scenes");
    }
    ScenesRecord r;
    for (const auto& s : j["scenes"]) {
        auto scene = ParseSceneRecord(s);
        if (!scene) return Error::Internal("pipeline: scene records missing");
        r.scenes.push_back(std::move(*scene));
    }
    r.early_preview = j.value("early_preview", false);
    return r;
}

Result<PreviewRecord> ParsePreviewRecord(const Json& j) {
    if (!j.is_object() || !j.contains("preview_key")) {
        return Error::Internal("pipeline: the preview stage has no recorded preview");
    }
    return PreviewRecord{j.value("preview_key", ""), j.value("thumbnail_key", ""),
                         j.value("duration", 0.0)};
}

Result<FinalRecord> ParseFinalRecord(const Json& j) {
    if (!j.is_object() || !j.contains("encode_key")) {
        return Error::Internal("pipeline: the final stage has no recorded encode");
    }
    FinalRecord r;
    r.encode_key = j.value("encode_key", "");
    r.narration_key = j.value("narration_key", "");
    r.hash = j.value("hash", "");
    r.reused = j.value("reused", false);
    r.duration = j.value("duration", 0.0);
    r.words = core::WordsFromJson(j.value("words", Json::array()));
    r.cues = core::CuesFromJson(j.value("cues", Json::array()));
    return r;
}

SceneEdits ParseSceneEdits(const Json& j) {
    SceneEdits out;
    if (!j.is_object()) return out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_object()) continue;
        int n = 0;
        try {
            n = std::stoi(it.key());
        } catch (const std::exception&) {
            continue;
        }
        const Json& ed = it.value();
        SceneEdit e;
        if (ed.contains("description") && ed["description"].is_string())
            e.description = ed["description"].get<std::string>();
        if (ed.contains("lines") && ed["lines"].is_array()) e.lines = Strings(ed["lines"]);
        if (ed.contains("seed") && ed["seed"].is_number_integer())
            e.seed = ed["seed"].get<std::int64_t>();
        out[n] = std::move(e);
    }
    return out;
}

}  // namespace beacon::pipeline
