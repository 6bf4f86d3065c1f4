#pragma once
/// The built-in planner: a deterministic, rule-based script writer (engine "builtin-planner"),
/// and the script JSON schema/validation shared by every script writer.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/engines.hpp"

namespace beacon::engines {

/// The JSON schema of the script shape (issue 3); Ollama's `format` gets exactly this.
Json ScriptJsonSchema();

/// Parses and validates a writer's answer (text holding a JSON object) into a Script: the core
/// shape check (core::ParseScript) plus our rules: 1..12 scenes, scene durations summing to
/// target within 1% (or any positive sum when rescale_any_sum). Durations are then rescaled so
/// that they sum exactly; scene ids are renumbered 1..n.
Result<core::Script> ValidateScriptAnswer(std::string_view text, double duration_target,
                                          bool rescale_any_sum = false);

/// Scales durations so they sum to target exactly (rounded to 0.01 s; the last takes the rest).
void NormalizeDurations(core::Script& script, double target);

/// The scene count asked for in the prompt ("3 scenes", "two shots", "in four parts"), if any.
std::optional<int> RequestedSceneCount(std::string_view prompt);

/// The scene count the planner uses: the requested count (clamped to 1..12), else one scene per
/// ~4.5 s of duration_target (at least 1, at most 12).
int PlannedSceneCount(std::string_view prompt, double duration_target);

/// Colour/palette words found in the text (lower case, in order of appearance, no repeats),
/// e.g. "emerald", "gold", "noir", "sunset".
std::vector<std::string> PaletteWords(std::string_view text);

/// A title of at most 6 words naming what the scene shows, for the storyboard picture and the
/// chapter list: the subject of the description's first clause with the shot phrase removed
/// ("Close-up of the lighthouse keeper, as the beam sweeps" -> "The Lighthouse Keeper"), never
/// cut mid-phrase; else from the first narration line; empty when neither names anything.
std::string SceneTitle(const core::Scene& scene);

/// Deterministic rule-based planner. Thread-safe (stateless).
class BuiltinPlanner final : public ScriptWriter {
public:
    Result<ScriptResult> Write(const ScriptRequest& req, const LogSink& log,
                               std::stop_token stop) override;
    Provenance Describe() const override;
};

}  // namespace beacon::engines
