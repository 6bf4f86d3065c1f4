#pragma once
/// Worlds in videos (issue 17 item 5): the picture engine that renders a generation's scenes
/// from a Verse world (headless Chromium, the editor's three.js code; verse/render.hpp) when the
/// job names one, and hands every other request to the configured picture engine. Wired in
/// src/app/serve.cpp through Runtime::adapt_engines. A failed render fails the scene: no
/// storyboard picture is ever put in a world's place.
#include <filesystem>
#include <mutex>
#include <string>

#include "engines/engines.hpp"
#include "verse/render.hpp"
#include "verse/service.hpp"

namespace beacon::verse {

struct WorldPictureOptions {
    std::string chromium = "chromium";
    std::filesystem::path bundle;  // <web root>/verse-render/render.js
    std::chrono::milliseconds timeout{180'000};
};

class WorldPictureEngine : public engines::PictureEngine {
public:
    WorldPictureEngine(engines::PictureEngine& inner, VerseService& verse, WorldPictureOptions options);
    core::Result<engines::PictureResult> Paint(const engines::PictureRequest& req,
                                               const std::filesystem::path& out_dir,
                                               const engines::LogSink& log,
                                               std::stop_token stop) override;
    /// The configured engine's description: jobs without a world are cached as before.
    engines::Provenance Describe() const override { return inner_.Describe(); }
    bool RendersWorlds() const override { return true; }
    /// Drafts are asked only for jobs without a world, which go to the configured engine.
    bool PaintsDrafts() const override { return inner_.PaintsDrafts(); }

private:
    std::string RendererName();

    engines::PictureEngine& inner_;
    VerseService& verse_;
    WorldPictureOptions options_;
    std::mutex mu_;
    std::string renderer_;  // Chromium's version line, read once
};

}  // namespace beacon::verse
