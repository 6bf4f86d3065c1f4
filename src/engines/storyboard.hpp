#pragma once
/// The built-in storyboard painter (engine "storyboard"), Cairo + Pango: a palette from the
/// style/prompt words, procedural motifs chosen from the scene text (sky, sea, land, light,
/// structures), deterministic from the seed. Writes parallax layers back to front
/// (background, mid, foreground: PNG with alpha, wider than the frame by 2 x parallax_margin;
/// then a frame-sized text overlay) and the composited full frame.
#include <string>
#include <vector>

#include "engines/engines.hpp"
#include "engines/options.hpp"

namespace beacon::engines {

struct Rgb {
    double r = 0, g = 0, b = 0;
};

/// The colours of one storyboard.
struct StoryPalette {
    std::string name;
    Rgb sky_top, sky_bottom, glow, far, mid, near, water, accent, text;
};

/// Chooses the palette from palette words in text ("emerald and gold", "noir", "sunset"): the
/// first word sets the base, a second the accent. Default: the brand's dark teal with gold.
StoryPalette PaletteFor(const std::string& text);

/// What the painter draws, as chosen from the scene text (exposed for tests).
struct StoryMotifs {
    bool storm = false, sea = false, hills = false, mountains = false, city = false, trees = false,
         lighthouse = false, tower = false, night = false, sun = false, dusk = false, rain = false,
         boat = false, birds = false, desert = false;
};
StoryMotifs MotifsFor(const std::string& text);

class StoryboardPainter final : public PictureEngine {
public:
    explicit StoryboardPainter(StoryboardOptions opts = {}) : opts_(std::move(opts)) {}
    /// Thread-safe; files are named scene<NN>_frame.png and scene<NN>_layer<k>_<name>.png.
    Result<PictureResult> Paint(const PictureRequest& req, const std::filesystem::path& out_dir,
                                const LogSink& log, std::stop_token stop) override;
    Provenance Describe() const override;
    bool PaintsDrafts() const override { return true; }
    /// Cairo works and the heading font resolves to an installed serif face.
    HealthCheck Check() const;

private:
    StoryboardOptions opts_;
};

}  // namespace beacon::engines
