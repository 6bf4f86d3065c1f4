#pragma once
// Internal to the storyboard painter (storyboard*.cpp): colour helpers, the deterministic
// generator, the canvas of one layer and the scenery motifs each painted onto a layer.
#include <cairo.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/result.hpp"
#include "engines/storyboard.hpp"

namespace beacon::engines::storyboard {

/// An ARGB32 image surface as a PNG file, compressed for speed (zlib level 1): RGB when every
/// pixel is opaque, else RGBA with the alpha straightened, the same pixels as cairo's writer.
core::Status WritePng(cairo_surface_t* s, const std::filesystem::path& path);

constexpr double kPi = 3.14159265358979323846;

inline Rgb Hex(unsigned v) {
    return {((v >> 16) & 0xFF) / 255.0, ((v >> 8) & 0xFF) / 255.0, (v & 0xFF) / 255.0};
}

inline Rgb Mix(Rgb a, Rgb b, double t) {
    return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

inline void Set(cairo_t* cr, Rgb c, double a = 1.0) { cairo_set_source_rgba(cr, c.r, c.g, c.b, a); }

inline void Stop(cairo_pattern_t* p, double off, Rgb c, double a = 1.0) {
    cairo_pattern_add_color_stop_rgba(p, off, c.r, c.g, c.b, a);
}

/// splitmix64: a small deterministic generator, identical on every platform.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t Next() {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double Uniform(double lo = 0, double hi = 1) {
        return lo + (hi - lo) * static_cast<double>(Next() >> 11) / 9007199254740992.0;
    }
    int Int(int lo, int hi) {
        return lo + static_cast<int>(Next() % static_cast<std::uint64_t>(hi - lo + 1));
    }

private:
    std::uint64_t s_;
};

/// `s` in ASCII lower case.
std::string Lower(std::string s);

/// One layer being painted; every motif draws onto it in layer coordinates.
struct Canvas {
    cairo_t* cr;
    double w, h;     // layer size
    double horizon;  // y of the horizon
    double scale;    // 1 wide, larger when the shot is closer
    double focus_x;  // x of the main structure
};

// Scenery (storyboard_scenery.cpp), each drawn from the generator in a fixed order so a seed
// always gives the same picture. Background layer:
void DrawSky(const Canvas& c, const StoryPalette& p, const StoryMotifs& m, Rng& rng);
void DrawFar(const Canvas& c, const StoryPalette& p, const StoryMotifs& m, Rng& rng);
// Mid layer:
void DrawSea(const Canvas& c, const StoryPalette& p, const StoryMotifs& m, Rng& rng);
void DrawLand(const Canvas& c, const StoryPalette& p, const StoryMotifs& m, Rng& rng);
void DrawSkyline(const Canvas& c, const StoryPalette& p, Rng& rng);
void DrawBirds(const Canvas& c, const StoryPalette& p, Rng& rng);
// Foreground layer:
void DrawTower(const Canvas& c, const StoryPalette& p, bool lighthouse, Rng& rng);
void DrawTrees(const Canvas& c, const StoryPalette& p, Rng& rng);
void DrawForegroundShore(const Canvas& c, const StoryPalette& p, Rng& rng);
void DrawRain(const Canvas& c, const StoryPalette& p, Rng& rng);

}  // namespace beacon::engines::storyboard
