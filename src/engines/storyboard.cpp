#include "engines/storyboard.hpp"

#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "engines/planner.hpp"

namespace beacon::engines {

using core::Error;

namespace {

constexpr double kPi = 3.14159265358979323846;

Rgb Hex(unsigned v) {
    return {((v >> 16) & 0xFF) / 255.0, ((v >> 8) & 0xFF) / 255.0, (v & 0xFF) / 255.0};
}

Rgb Mix(Rgb a, Rgb b, double t) {
    return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

void Set(cairo_t* cr, Rgb c, double a = 1.0) { cairo_set_source_rgba(cr, c.r, c.g, c.b, a); }

void Stop(cairo_pattern_t* p, double off, Rgb c, double a = 1.0) {
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
    int Int(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<std::uint64_t>(hi - lo + 1)); }

private:
    std::uint64_t s_;
};

std::uint64_t Fnv(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool HasWord(const std::set<std::string>& words, std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
        if (words.count(k)) return true;
    }
    return false;
}

std::set<std::string> WordSet(const std::string& text) {
    std::set<std::string> out;
    std::string cur;
    for (char c : Lower(text) + " ") {
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '-') {
            cur.push_back(c);
        } else if (!cur.empty()) {
            out.insert(cur);
            // crude plural folding: "waves" → also "wave"
            if (cur.size() > 3 && cur.back() == 's') out.insert(cur.substr(0, cur.size() - 1));
            cur.clear();
        }
    }
    return out;
}

struct BasePalette {
    Rgb sky_top, sky_bottom, glow, far, mid, near, water;
};

const std::map<std::string, BasePalette>& Bases() {
    static const std::map<std::string, BasePalette> m = {
        {"teal", {Hex(0x06222b), Hex(0x1d5c63), Hex(0x7fb8a8), Hex(0x174a52), Hex(0x0f3940), Hex(0x061a1f), Hex(0x0d3b44)}},
        {"emerald", {Hex(0x04211a), Hex(0x1b6b52), Hex(0x9ad6b0), Hex(0x145a45), Hex(0x0c4030), Hex(0x04190f), Hex(0x0b3f33)}},
        {"gold", {Hex(0x2a1a06), Hex(0xb0782a), Hex(0xffd98a), Hex(0x7a4d1c), Hex(0x4f3213), Hex(0x1d1206), Hex(0x5c3d17)}},
        {"crimson", {Hex(0x1e0509), Hex(0x8c1c2a), Hex(0xff9a7a), Hex(0x5e1420), Hex(0x3d0c15), Hex(0x140307), Hex(0x4a0f1a)}},
        {"noir", {Hex(0x0b0b0c), Hex(0x4a4a4e), Hex(0xd8d8d8), Hex(0x2c2c2f), Hex(0x1b1b1d), Hex(0x050505), Hex(0x222225)}},
        {"sunset", {Hex(0x2b1740), Hex(0xe0794a), Hex(0xffc37a), Hex(0x6b3050), Hex(0x40203a), Hex(0x170a17), Hex(0x4a2540)}},
        {"azure", {Hex(0x1f5fa8), Hex(0xa6d3f2), Hex(0xfff6d8), Hex(0x5a86a8), Hex(0x2f5e6f), Hex(0x1a3440), Hex(0x2f73a0)}},
        {"violet", {Hex(0x150c2e), Hex(0x6a4a9c), Hex(0xe6b8ff), Hex(0x3e2c66), Hex(0x281c45), Hex(0x0c0818), Hex(0x2e2150)}},
        {"midnight", {Hex(0x03061a), Hex(0x1a2a5a), Hex(0x8fa6e0), Hex(0x141e40), Hex(0x0c1330), Hex(0x03050f), Hex(0x0d1838)}},
        {"dawn", {Hex(0x3a4a7a), Hex(0xf2b6a0), Hex(0xfff0d0), Hex(0x7a6a8a), Hex(0x4a4060), Hex(0x1a1626), Hex(0x5a5a85)}},
        {"desert", {Hex(0x6a3a1a), Hex(0xf0c080), Hex(0xfff0c0), Hex(0xb07040), Hex(0x8a5030), Hex(0x3a2010), Hex(0x7a5030)}},
        {"sepia", {Hex(0x2a2018), Hex(0xb89a70), Hex(0xf2e2c0), Hex(0x6a5438), Hex(0x4a3a26), Hex(0x1a140c), Hex(0x5a4a34)}},
    };
    return m;
}

const std::map<std::string, std::string>& BaseAliases() {
    static const std::map<std::string, std::string> m = {
        {"teal", "teal"}, {"turquoise", "teal"}, {"cyan", "teal"}, {"jade", "emerald"},
        {"emerald", "emerald"}, {"green", "emerald"}, {"olive", "emerald"},
        {"gold", "gold"}, {"amber", "gold"}, {"ochre", "gold"}, {"copper", "gold"},
        {"bronze", "gold"}, {"orange", "sunset"}, {"yellow", "gold"},
        {"crimson", "crimson"}, {"red", "crimson"}, {"scarlet", "crimson"}, {"ruby", "crimson"},
        {"noir", "noir"}, {"black", "noir"}, {"monochrome", "noir"}, {"charcoal", "noir"},
        {"gray", "noir"}, {"obsidian", "noir"}, {"silver", "noir"}, {"white", "noir"},
        {"sunset", "sunset"}, {"dusk", "sunset"}, {"twilight", "violet"}, {"rose", "sunset"},
        {"pink", "dawn"}, {"magenta", "violet"}, {"azure", "azure"}, {"blue", "azure"},
        {"cobalt", "midnight"}, {"navy", "midnight"}, {"midnight", "midnight"}, {"indigo", "violet"},
        {"violet", "violet"}, {"purple", "violet"}, {"lavender", "violet"}, {"dawn", "dawn"},
        {"pastel", "dawn"}, {"cream", "dawn"}, {"ivory", "dawn"}, {"sepia", "sepia"},
        {"neon", "violet"},
    };
    return m;
}

const std::map<std::string, Rgb>& Accents() {
    static const std::map<std::string, Rgb> m = {
        {"gold", Hex(0xf2c14e)}, {"amber", Hex(0xffb547)}, {"teal", Hex(0x4fd1c5)},
        {"turquoise", Hex(0x40e0d0)}, {"emerald", Hex(0x50c878)}, {"green", Hex(0x6fdc8c)},
        {"crimson", Hex(0xe23a4e)}, {"red", Hex(0xff4a4a)}, {"scarlet", Hex(0xff3b2f)},
        {"ruby", Hex(0xe0115f)}, {"silver", Hex(0xdfe4ea)}, {"white", Hex(0xf6f4ee)},
        {"ivory", Hex(0xfffff0)}, {"cream", Hex(0xf5ecd7)}, {"copper", Hex(0xd9834a)},
        {"bronze", Hex(0xcd7f32)}, {"orange", Hex(0xff9a3c)}, {"yellow", Hex(0xffe066)},
        {"pink", Hex(0xff8fb1)}, {"rose", Hex(0xff7f9f)}, {"violet", Hex(0xb388ff)},
        {"purple", Hex(0xb07cff)}, {"lavender", Hex(0xc8b6ff)}, {"magenta", Hex(0xff4fd8)},
        {"azure", Hex(0x7cc4ff)}, {"blue", Hex(0x6aa8ff)}, {"cyan", Hex(0x5ef0ff)},
        {"neon", Hex(0x39ff14)}, {"sunset", Hex(0xffa45c)}, {"jade", Hex(0x00a86b)},
    };
    return m;
}

std::uint64_t SeedFor(const PictureRequest& req) {
    return static_cast<std::uint64_t>(req.seed) * 0x9E3779B97F4A7C15ull ^
           Fnv(req.scene.description) ^ (static_cast<std::uint64_t>(req.scene_index) << 32);
}

// ---- drawing -----------------------------------------------------------------------------------

struct Canvas {
    cairo_t* cr;
    double w, h;       // layer size
    double horizon;    // y of the horizon
    double scale;      // 1 wide, larger when the shot is closer
    double focus_x;    // x of the main structure
};

void DrawSky(const Canvas& c, const StoryPalette& p, const StoryMotifs& m, Rng& rng) {
    cairo_t* cr = c.cr;
    cairo_pattern_t* g = cairo_pattern_create_linear(0, 0, 0, c.horizon);
    Rgb top = m.storm ? Mix(p.sky_top, Hex(0x0a0c10), 0.4) : p.sky_top;
    Rgb bottom = m.storm ? Mix(p.sky_bottom, Hex(0x303a44), 0.45) : p.sky_bottom;
    Stop(g, 0, top);
    Stop(g, 0.65, Mix(top, bottom, 0.7));
    Stop(g, 1, bottom);
    cairo_set_source(cr, g);
    cairo_rectangle(cr, 0, 0, c.w, c.h);
    cairo_fill(cr);
    cairo_pattern_destroy(g);
    // Horizon glow.
    cairo_pattern_t* glow = cairo_pattern_create_radial(c.w * 0.5, c.horizon, 0, c.w * 0.5, c.horizon, c.w * 0.6);
    Stop(glow, 0, p.glow, m.storm ? 0.25 : 0.45);
    Stop(glow, 1, p.glow, 0);
    cairo_set_source(cr, glow);
    cairo_rectangle(cr, 0, 0, c.w, c.h);
    cairo_fill(cr);
    cairo_pattern_destroy(glow);

    if (m.night || (m.dusk && !m.storm)) {
        int stars = static_cast<int>(c.w * c.h / (m.night ? 2500 : 9000));
        for (int i = 0; i < stars; ++i) {
            double x = rng.Uniform(0, c.w), y = rng.Uniform(0, c.horizon * 0.8);
            double r = rng.Uniform(0.4, 1.4) * c.h / 720.0;
            Set(cr, Hex(0xfff8e7), rng.Uniform(0.25, 0.9) * (1 - y / c.horizon));
            cairo_arc(cr, x, y, r, 0, 2 * kPi);
            cairo_fill(cr);
        }
    }
    // Sun or moon.
    if ((m.sun || m.night || m.dusk) && !m.storm) {
        double r = c.h * (m.night ? 0.045 : 0.07);
        double x = c.w * rng.Uniform(0.18, 0.4);
        double y = m.night ? c.h * rng.Uniform(0.12, 0.25) : c.horizon - r * rng.Uniform(0.3, 1.6);
        Rgb col = m.night ? Hex(0xf4f1e6) : Mix(p.accent, Hex(0xfff2c8), 0.35);
        cairo_pattern_t* halo = cairo_pattern_create_radial(x, y, r * 0.8, x, y, r * 6);
        Stop(halo, 0, col, 0.35);
        Stop(halo, 1, col, 0);
        cairo_set_source(cr, halo);
        cairo_arc(cr, x, y, r * 6, 0, 2 * kPi);
        cairo_fill(cr);
        cairo_pattern_destroy(halo);
        Set(cr, col, 0.95);
        cairo_arc(cr, x, y, r, 0, 2 * kPi);
        cairo_fill(cr);
        if (m.night) {  // crescent shadow
            Set(cr, p.sky_top, 0.85);
            cairo_arc(cr, x + r * 0.45, y - r * 0.2, r * 0.9, 0, 2 * kPi);
            cairo_fill(cr);
        }
    }
    // Clouds: soft stacked ellipses; heavier and darker in a storm.
    int banks = m.storm ? 9 : (m.night ? 3 : 5);
    for (int b = 0; b < banks; ++b) {
        double cx = rng.Uniform(-0.1, 1.1) * c.w;
        double cy = rng.Uniform(0.08, m.storm ? 0.55 : 0.45) * c.horizon;
        double cw = rng.Uniform(0.15, 0.35) * c.w;
        Rgb col = m.storm ? Mix(p.sky_top, Hex(0x1a1f26), 0.5) : Mix(p.glow, p.sky_bottom, 0.5);
        double alpha = m.storm ? 0.55 : 0.18;
        for (int k = 0; k < 7; ++k) {
            double ex = cx + rng.Uniform(-0.5, 0.5) * cw;
            double ey = cy + rng.Uniform(-0.12, 0.12) * cw * 0.4;
            double rx = rng.Uniform(0.2, 0.45) * cw, ry = rx * rng.Uniform(0.25, 0.4);
            cairo_save(cr);
            cairo_translate(cr, ex, ey);
            cairo_scale(cr, rx, ry);
            cairo_pattern_t* pg = cairo_pattern_create_radial(0, 0, 0, 0, 0, 1);
            Stop(pg, 0, col, alpha);
            Stop(pg, 1, col, 0);
            cairo_set_source(cr, pg);
            cairo_arc(cr, 0, 0, 1, 0, 2 * kPi);
            cairo_fill(cr);
            cairo_pattern_destroy(pg);
            cairo_restore(cr);
        }
    }
    if (m.storm) {  // a lightning fork
        double x = rng.Uniform(0.55, 0.9) * c.w, y = c.horizon * 0.15;
        cairo_move_to(cr, x, y);
        while (y < c.horizon * 0.85) {
            x += rng.Uniform(-0.025, 0.025) * c.w;
            y += rng.Uniform(0.05, 0.1) * c.horizon;
            cairo_line_to(cr, x, y);
        }
        Set(cr, Hex(0xe8f4ff), 0.25);
        cairo_set_line_width(cr, c.h * 0.012);
        cairo_stroke_preserve(cr);
        Set(cr, Hex(0xf8fcff), 0.9);
        cairo_set_line_width(cr, c.h * 0.0025);
        cairo_stroke(cr);
    }
}

void RidgePath(cairo_t* cr, double w, double base, double amp, Rng& rng, bool jagged, double bottom) {
    double f1 = rng.Uniform(1.5, 3.5), f2 = rng.Uniform(4, 9), ph1 = rng.Uniform(0, 6.28), ph2 = rng.Uniform(0, 6.28);
    cairo_move_to(cr, 0, bottom);
    int steps = jagged ? 28 : 90;
    for (int i = 0; i <= steps; ++i) {
        double x = w * i / steps;
        double t = x / w;
        double y = base - amp * (0.6 * std::sin(t * f1 * kPi + ph1) + 0.3 * std::sin(t * f2 * kPi + ph2) + 0.4);
        if (jagged) y -= amp * rng.Uniform(0, 0.5);
        cairo_line_to(cr, x, y);
    }
    cairo_line_to(cr, w, bottom);
    cairo_close_path(cr);
}

void DrawFar(const Canvas& c, const StoryPalette& p, const StoryMotifs& m, Rng& rng) {
    cairo_t* cr = c.cr;
    if (m.mountains || m.desert || (!m.sea && !m.city)) {
        RidgePath(cr, c.w, c.horizon, c.h * (m.mountains ? 0.22 : 0.08), rng, m.mountains, c.horizon + 2);
        Set(cr, Mix(p.far, p.sky_bottom, 0.45), 0.9);
        cairo_fill(cr);
    }
}

void DrawSea(const Canvas& c, const StoryPalette& p, const StoryMotifs& m, Rng& rng) {
    cairo_t* cr = c.cr;
    cairo_pattern_t* g = cairo_pattern_create_linear(0, c.horizon, 0, c.h);
    Stop(g, 0, Mix(p.water, p.sky_bottom, 0.35));
    Stop(g, 1, Mix(p.water, p.near, 0.5));
    cairo_set_source(cr, g);
    cairo_rectangle(cr, 0, c.horizon, c.w, c.h - c.horizon);
    cairo_fill(cr);
    cairo_pattern_destroy(g);
    // Reflection streak under the light source.
    cairo_pattern_t* refl = cairo_pattern_create_linear(c.w * 0.2, 0, c.w * 0.45, 0);
    Stop(refl, 0, p.glow, 0);
    Stop(refl, 0.5, p.glow, m.storm ? 0.08 : 0.18);
    Stop(refl, 1, p.glow, 0);
    cairo_set_source(cr, refl);
    cairo_rectangle(cr, 0, c.horizon, c.w, c.h - c.horizon);
    cairo_fill(cr);
    cairo_pattern_destroy(refl);
    // Waves: short arcs, larger and brighter toward the viewer.
    int rows = static_cast<int>(18 * (m.storm ? 1.4 : 1.0));
    for (int r = 0; r < rows; ++r) {
        double t = (r + 1.0) / rows;
        double y = c.horizon + (c.h - c.horizon) * t * t;
        int n = static_cast<int>(8 + 14 * (1 - t));
        for (int k = 0; k < n; ++k) {
            double x = rng.Uniform(0, c.w);
            double len = c.w * (0.015 + 0.05 * t) * rng.Uniform(0.6, 1.4);
            double amp = c.h * (0.002 + (m.storm ? 0.02 : 0.008) * t);
            cairo_move_to(cr, x - len / 2, y);
            cairo_curve_to(cr, x - len / 4, y - amp, x + len / 4, y - amp, x + len / 2, y);
            Set(cr, Mix(p.glow, p.water, 0.3), (m.storm ? 0.25 : 0.15) + 0.3 * t * rng.Uniform(0.3, 1));
            cairo_set_line_width(cr, std::max(1.0, c.h * 0.003 * (0.5 + t)));
            cairo_stroke(cr);
        }
    }
    if (m.boat) {
        double bx = c.w * rng.Uniform(0.2, 0.45), by = c.horizon + (c.h - c.horizon) * 0.18;
        double s = c.h * 0.03 * c.scale;
        Set(cr, p.near, 0.95);
        cairo_move_to(cr, bx - s * 1.6, by);
        cairo_line_to(cr, bx + s * 1.6, by);
        cairo_line_to(cr, bx + s * 1.1, by + s * 0.5);
        cairo_line_to(cr, bx - s * 1.1, by + s * 0.5);
        cairo_close_path(cr);
        cairo_fill(cr);
        cairo_move_to(cr, bx, by - s * 2.6);
        cairo_line_to(cr, bx + s * 1.3, by - s * 0.2);
        cairo_line_to(cr, bx, by - s * 0.2);
        cairo_close_path(cr);
        Set(cr, Mix(p.glow, p.near, 0.3), 0.9);
        cairo_fill(cr);
    }
}

void DrawLand(const Canvas& c, const StoryPalette& p, const StoryMotifs& m, Rng& rng) {
    cairo_t* cr = c.cr;
    int bands = m.desert ? 3 : 2;
    for (int b = 0; b < bands; ++b) {
        double base = c.horizon + (c.h - c.horizon) * (0.15 + 0.3 * b);
        RidgePath(cr, c.w, base, c.h * 0.06, rng, false, c.h);
        cairo_pattern_t* g = cairo_pattern_create_linear(0, base - c.h * 0.1, 0, c.h);
        Rgb top = Mix(p.mid, p.far, 0.6 - 0.3 * b);
        Stop(g, 0, top);
        Stop(g, 1, Mix(top, p.near, 0.6));
        cairo_set_source(cr, g);
        cairo_fill(cr);
        cairo_pattern_destroy(g);
    }
}

void DrawSkyline(const Canvas& c, const StoryPalette& p, Rng& rng) {
    cairo_t* cr = c.cr;
    double x = 0;
    while (x < c.w) {
        double bw = c.w * rng.Uniform(0.025, 0.06) * c.scale;
        double bh = c.h * rng.Uniform(0.08, 0.3) * c.scale;
        double top = c.horizon - bh;
        Set(cr, Mix(p.mid, p.far, 0.3));
        cairo_rectangle(cr, x, top, bw, bh + c.h * 0.02);
        cairo_fill(cr);
        if (rng.Uniform() < 0.25) {  // a spire
            Set(cr, Mix(p.mid, p.far, 0.3));
            cairo_move_to(cr, x + bw * 0.35, top);
            cairo_line_to(cr, x + bw * 0.5, top - bh * 0.25);
            cairo_line_to(cr, x + bw * 0.65, top);
            cairo_fill(cr);
        }
        double win = std::max(2.0, bw * 0.12);
        for (double wy = top + win * 1.5; wy < c.horizon - win; wy += win * 2.2) {
            for (double wx = x + win; wx < x + bw - win; wx += win * 2) {
                if (rng.Uniform() < 0.35) {
                    Set(cr, p.accent, rng.Uniform(0.35, 0.9));
                    cairo_rectangle(cr, wx, wy, win, win * 1.2);
                    cairo_fill(cr);
                }
            }
        }
        x += bw + c.w * rng.Uniform(0.0, 0.01);
    }
}

void DrawBeams(const Canvas& c, const StoryPalette& p, double lx, double ly, double size, Rng& rng) {
    cairo_t* cr = c.cr;
    double angle = rng.Uniform(-0.35, 0.15);
    for (int side : {-1, 1}) {
        double len = c.w * 0.9;
        double dir = side < 0 ? kPi + angle : angle;
        double spread = 0.09;
        double x1 = lx + len * std::cos(dir - spread), y1 = ly + len * std::sin(dir - spread);
        double x2 = lx + len * std::cos(dir + spread), y2 = ly + len * std::sin(dir + spread);
        cairo_pattern_t* g = cairo_pattern_create_radial(lx, ly, size * 0.3, lx, ly, len);
        Stop(g, 0, p.accent, side > 0 ? 0.55 : 0.3);
        Stop(g, 0.5, p.accent, 0.12);
        Stop(g, 1, p.accent, 0);
        cairo_set_source(cr, g);
        cairo_move_to(cr, lx, ly - size * 0.15);
        cairo_line_to(cr, x1, y1);
        cairo_line_to(cr, x2, y2);
        cairo_line_to(cr, lx, ly + size * 0.15);
        cairo_close_path(cr);
        cairo_fill(cr);
        cairo_pattern_destroy(g);
    }
    cairo_pattern_t* halo = cairo_pattern_create_radial(lx, ly, 0, lx, ly, size * 3);
    Stop(halo, 0, Mix(p.accent, Hex(0xffffff), 0.5), 0.9);
    Stop(halo, 0.3, p.accent, 0.35);
    Stop(halo, 1, p.accent, 0);
    cairo_set_source(cr, halo);
    cairo_arc(cr, lx, ly, size * 3, 0, 2 * kPi);
    cairo_fill(cr);
    cairo_pattern_destroy(halo);
}

void DrawTower(const Canvas& c, const StoryPalette& p, bool lighthouse, Rng& rng) {
    cairo_t* cr = c.cr;
    double base_y = c.horizon + (c.h - c.horizon) * 0.35;
    // Tower height; the lantern and cap stay inside the frame even in a close shot.
    double s = std::min(c.h * 0.42 * c.scale, (base_y - c.h * 0.16) / 1.0);
    double x = c.focus_x;
    // The rock it stands on.
    Set(cr, p.near);
    cairo_move_to(cr, x - s * 0.9, c.h);
    cairo_curve_to(cr, x - s * 0.7, base_y + s * 0.02, x - s * 0.35, base_y - s * 0.04, x, base_y - s * 0.03);
    cairo_curve_to(cr, x + s * 0.4, base_y - s * 0.02, x + s * 0.75, base_y + s * 0.06, x + s * 1.1, c.h);
    cairo_close_path(cr);
    cairo_fill(cr);
    double bw = s * 0.13, tw = s * 0.085;
    double top = base_y - s;
    // Tapered body, lit on the side toward the glow.
    cairo_pattern_t* body = cairo_pattern_create_linear(x - bw, 0, x + bw, 0);
    Rgb light = Mix(Hex(0xf3ead6), p.mid, 0.35);
    Stop(body, 0, Mix(light, p.near, 0.55));
    Stop(body, 0.45, light);
    Stop(body, 1, Mix(light, p.near, 0.75));
    cairo_set_source(cr, body);
    cairo_move_to(cr, x - bw, base_y);
    cairo_line_to(cr, x - tw, top);
    cairo_line_to(cr, x + tw, top);
    cairo_line_to(cr, x + bw, base_y);
    cairo_close_path(cr);
    cairo_fill(cr);
    cairo_pattern_destroy(body);
    if (lighthouse) {  // stripes
        for (int i = 1; i <= 3; ++i) {
            double y0 = base_y - s * (0.22 * i), y1 = y0 - s * 0.09;
            double w0 = bw - (bw - tw) * ((base_y - y0) / s), w1 = bw - (bw - tw) * ((base_y - y1) / s);
            Set(cr, Mix(Hex(0x8c1c2a), p.near, 0.35), 0.9);
            cairo_move_to(cr, x - w0, y0);
            cairo_line_to(cr, x - w1, y1);
            cairo_line_to(cr, x + w1, y1);
            cairo_line_to(cr, x + w0, y0);
            cairo_close_path(cr);
            cairo_fill(cr);
        }
    }
    // Gallery, lantern room and cap.
    Set(cr, p.near);
    cairo_rectangle(cr, x - tw * 1.5, top - s * 0.02, tw * 3, s * 0.025);
    cairo_fill(cr);
    double lantern_h = s * 0.09;
    double ly = top - s * 0.02 - lantern_h / 2;
    Set(cr, lighthouse ? Mix(p.accent, Hex(0xffffff), 0.4) : Mix(p.accent, p.near, 0.5), 1.0);
    cairo_rectangle(cr, x - tw * 0.9, top - s * 0.02 - lantern_h, tw * 1.8, lantern_h);
    cairo_fill(cr);
    Set(cr, p.near);
    cairo_move_to(cr, x - tw * 1.2, top - s * 0.02 - lantern_h);
    cairo_line_to(cr, x, top - s * 0.02 - lantern_h - s * 0.07);
    cairo_line_to(cr, x + tw * 1.2, top - s * 0.02 - lantern_h);
    cairo_close_path(cr);
    cairo_fill(cr);
    if (lighthouse) DrawBeams(c, p, x, ly, lantern_h, rng);
}

void DrawTrees(const Canvas& c, const StoryPalette& p, Rng& rng) {
    cairo_t* cr = c.cr;
    int n = static_cast<int>(9 / std::max(1.0, c.scale * 0.8));
    for (int i = 0; i < n; ++i) {
        double x = rng.Uniform(0, c.w);
        if (std::abs(x - c.focus_x) < c.w * 0.08) continue;
        double base = c.h - rng.Uniform(0, 0.08) * c.h;
        double th = c.h * rng.Uniform(0.25, 0.45) * c.scale;
        double tw = th * 0.28;
        Set(cr, Mix(p.near, p.mid, rng.Uniform(0, 0.3)));
        for (int tier = 0; tier < 4; ++tier) {
            double ty = base - th * (0.2 + tier * 0.2);
            double w = tw * (1.0 - tier * 0.2);
            cairo_move_to(cr, x - w, ty + th * 0.18);
            cairo_line_to(cr, x, ty - th * 0.22);
            cairo_line_to(cr, x + w, ty + th * 0.18);
            cairo_close_path(cr);
            cairo_fill(cr);
        }
        cairo_rectangle(cr, x - tw * 0.08, base - th * 0.2, tw * 0.16, th * 0.2);
        cairo_fill(cr);
    }
}

void DrawForegroundShore(const Canvas& c, const StoryPalette& p, Rng& rng) {
    cairo_t* cr = c.cr;
    RidgePath(cr, c.w, c.h * 0.96, c.h * 0.05, rng, false, c.h);
    Set(cr, p.near, 0.95);
    cairo_fill(cr);
}

void DrawRain(const Canvas& c, const StoryPalette& p, Rng& rng) {
    cairo_t* cr = c.cr;
    int n = static_cast<int>(c.w * c.h / 2600);
    cairo_set_line_width(cr, std::max(1.0, c.h / 720.0));
    for (int i = 0; i < n; ++i) {
        double x = rng.Uniform(-0.1, 1.1) * c.w, y = rng.Uniform(0, 1) * c.h;
        double len = c.h * rng.Uniform(0.02, 0.05);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x - len * 0.3, y + len);
        Set(cr, Mix(p.glow, Hex(0xffffff), 0.5), rng.Uniform(0.08, 0.25));
        cairo_stroke(cr);
    }
}

void DrawBirds(const Canvas& c, const StoryPalette& p, Rng& rng) {
    cairo_t* cr = c.cr;
    int n = rng.Int(3, 6);
    double cx = rng.Uniform(0.3, 0.7) * c.w, cy = c.horizon * rng.Uniform(0.3, 0.55);
    cairo_set_line_width(cr, std::max(1.2, c.h * 0.003));
    for (int i = 0; i < n; ++i) {
        double x = cx + rng.Uniform(-0.12, 0.12) * c.w, y = cy + rng.Uniform(-0.06, 0.06) * c.h;
        double s = c.h * rng.Uniform(0.01, 0.018) * c.scale;
        cairo_move_to(cr, x - s, y - s * 0.3);
        cairo_curve_to(cr, x - s * 0.5, y - s * 0.6, x - s * 0.2, y - s * 0.2, x, y);
        cairo_curve_to(cr, x + s * 0.2, y - s * 0.2, x + s * 0.5, y - s * 0.6, x + s, y - s * 0.3);
        Set(cr, p.near, 0.85);
        cairo_stroke(cr);
    }
}

void Vignette(cairo_t* cr, double w, double h) {
    cairo_pattern_t* v = cairo_pattern_create_radial(w / 2, h / 2, h * 0.35, w / 2, h / 2, w * 0.75);
    cairo_pattern_add_color_stop_rgba(v, 0, 0, 0, 0, 0);
    cairo_pattern_add_color_stop_rgba(v, 1, 0, 0, 0, 0.45);
    cairo_set_source(cr, v);
    cairo_paint(cr);
    cairo_pattern_destroy(v);
}

void DrawText(cairo_t* cr, const StoryboardOptions& opts, const StoryPalette& p, double w, double h,
              const std::string& heading, const std::string& sub, const std::string& label) {
    // Scrim for legibility.
    cairo_pattern_t* scrim = cairo_pattern_create_linear(0, h * 0.55, 0, h);
    cairo_pattern_add_color_stop_rgba(scrim, 0, 0, 0, 0, 0);
    cairo_pattern_add_color_stop_rgba(scrim, 1, 0, 0, 0, 0.62);
    cairo_set_source(cr, scrim);
    cairo_rectangle(cr, 0, h * 0.55, w, h * 0.45);
    cairo_fill(cr);
    cairo_pattern_destroy(scrim);

    double margin = w * 0.055;
    PangoLayout* layout = pango_cairo_create_layout(cr);
    pango_layout_set_width(layout, static_cast<int>((w - 2 * margin) * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD);
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);

    // Description (sub) under the heading; measure it first to stack from the bottom.
    auto font = [&](const std::string& family, double px, PangoStyle style, PangoWeight weight) {
        PangoFontDescription* d = pango_font_description_from_string(family.c_str());
        pango_font_description_set_absolute_size(d, px * PANGO_SCALE);
        pango_font_description_set_style(d, style);
        pango_font_description_set_weight(d, weight);
        pango_layout_set_font_description(layout, d);
        pango_font_description_free(d);
    };
    double y = h - margin * 0.8;
    if (!sub.empty()) {
        font(opts.heading_font, h * 0.027, PANGO_STYLE_ITALIC, PANGO_WEIGHT_NORMAL);
        pango_layout_set_height(layout, -2);
        pango_layout_set_text(layout, sub.c_str(), -1);
        int tw = 0, th = 0;
        pango_layout_get_pixel_size(layout, &tw, &th);
        y -= th;
        Set(cr, p.text, 0.78);
        cairo_move_to(cr, margin, y);
        pango_cairo_show_layout(cr, layout);
        y -= h * 0.015;
    }
    if (!heading.empty()) {
        font(opts.heading_font, h * 0.058, PANGO_STYLE_NORMAL, PANGO_WEIGHT_SEMIBOLD);
        pango_layout_set_height(layout, -2);
        pango_layout_set_text(layout, heading.c_str(), -1);
        int tw = 0, th = 0;
        pango_layout_get_pixel_size(layout, &tw, &th);
        y -= th;
        // Soft shadow, then the text.
        cairo_move_to(cr, margin + h * 0.002, y + h * 0.003);
        cairo_set_source_rgba(cr, 0, 0, 0, 0.45);
        pango_cairo_show_layout(cr, layout);
        cairo_move_to(cr, margin, y);
        Set(cr, p.text, 0.97);
        pango_cairo_show_layout(cr, layout);
        // A short accent rule above the heading.
        Set(cr, p.accent, 0.9);
        cairo_rectangle(cr, margin, y - h * 0.022, w * 0.05, std::max(2.0, h * 0.004));
        cairo_fill(cr);
    }
    // The subtle label, top left.
    font(opts.label_font, h * 0.022, PANGO_STYLE_NORMAL, PANGO_WEIGHT_BOLD);
    pango_layout_set_height(layout, -1);
    PangoAttrList* attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_letter_spacing_new(static_cast<int>(h * 0.004 * PANGO_SCALE)));
    pango_layout_set_attributes(layout, attrs);
    pango_attr_list_unref(attrs);
    pango_layout_set_text(layout, label.c_str(), -1);
    cairo_move_to(cr, margin, margin * 0.6);
    Set(cr, p.text, 0.55);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
}

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;

SurfacePtr NewSurface(int w, int h) {
    return SurfacePtr(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h), cairo_surface_destroy);
}

core::Status WritePng(cairo_surface_t* s, const std::filesystem::path& path) {
    cairo_surface_flush(s);
    cairo_status_t st = cairo_surface_write_to_png(s, path.c_str());
    if (st != CAIRO_STATUS_SUCCESS) {
        return Error::Unavailable("storyboard: cannot write " + path.string() + ": " +
                                  cairo_status_to_string(st), false);
    }
    return {};
}

}  // namespace

StoryPalette PaletteFor(const std::string& text) {
    auto words = PaletteWords(text);
    StoryPalette p;
    std::string base = "teal";
    Rgb accent = Hex(0xf2c14e);  // brand gold
    std::string accent_name = "gold";
    std::vector<std::string> known;
    for (const auto& w : words) {
        if (BaseAliases().count(w) || Accents().count(w)) known.push_back(w);
    }
    if (!known.empty()) {
        auto it = BaseAliases().find(known[0]);
        if (it != BaseAliases().end()) base = it->second;
        if (known.size() > 1 && Accents().count(known[1])) {
            accent = Accents().at(known[1]);
            accent_name = known[1];
        } else if (base == "gold") {
            accent = Hex(0xfff0b3);
            accent_name = "pale gold";
        } else if (base == "noir") {
            accent = Hex(0xf4f1e6);
            accent_name = "white";
        } else if (base == "crimson") {
            accent = Hex(0xffb347);
            accent_name = "amber";
        }
    }
    const BasePalette& b = Bases().at(base);
    p.name = base + "+" + accent_name;
    p.sky_top = b.sky_top;
    p.sky_bottom = b.sky_bottom;
    p.glow = b.glow;
    p.far = b.far;
    p.mid = b.mid;
    p.near = b.near;
    p.water = b.water;
    p.accent = accent;
    p.text = Hex(0xf5ecd7);  // brand cream
    return p;
}

StoryMotifs MotifsFor(const std::string& text) {
    auto w = WordSet(text);
    StoryMotifs m;
    m.storm = HasWord(w, {"storm", "stormy", "thunder", "lightning", "tempest", "gale"});
    m.rain = m.storm || HasWord(w, {"rain", "rainy", "drizzle", "downpour"});
    m.sea = HasWord(w, {"sea", "ocean", "coast", "coastline", "wave", "shore", "harbor", "harbour",
                        "beach", "bay", "tide", "lake", "water", "sail", "ship", "boat"});
    m.lighthouse = HasWord(w, {"lighthouse", "beacon", "lightkeeper"});
    m.tower = !m.lighthouse && HasWord(w, {"tower", "castle", "spire", "keep", "clocktower"});
    m.city = HasWord(w, {"city", "skyline", "street", "town", "metropolis", "downtown", "village", "rooftop"});
    m.trees = HasWord(w, {"forest", "tree", "woods", "pine", "grove", "jungle", "park"});
    m.mountains = HasWord(w, {"mountain", "peak", "alps", "ridge", "cliff", "summit", "volcano"});
    m.desert = HasWord(w, {"desert", "dune", "sand", "sahara"});
    m.hills = HasWord(w, {"hill", "valley", "meadow", "field", "countryside", "farm", "land"}) ||
              m.desert || (!m.sea && !m.city);
    m.night = HasWord(w, {"night", "moon", "moonlit", "moonlight", "star", "starry", "midnight", "nocturnal"});
    m.dusk = HasWord(w, {"dusk", "sunset", "twilight", "evening", "dawn", "sunrise", "golden"});
    m.sun = HasWord(w, {"sun", "sunny", "sunrise", "sunset", "noon", "morning", "day"}) && !m.night;
    m.boat = HasWord(w, {"boat", "ship", "sail", "sailboat", "fleet", "fisherman", "ferry"});
    m.birds = HasWord(w, {"bird", "gull", "seagull", "eagle", "crow", "flock", "dove"});
    return m;
}

Provenance StoryboardPainter::Describe() const {
    return Provenance{"storyboard", "cairo-procedural-v2", Json::object(), true};
}

Result<PictureResult> StoryboardPainter::Paint(const PictureRequest& req,
                                               const std::filesystem::path& out_dir,
                                               const LogSink& log, std::stop_token stop) {
    if (stop.stop_requested()) return Error::Canceled();
    if (req.width < 16 || req.height < 16 || req.width > 7680 || req.height > 4320) {
        return Error::Invalid("storyboard: frame size " + std::to_string(req.width) + "x" +
                              std::to_string(req.height) + " is outside 16x16..7680x4320");
    }
    const std::string scene_text = req.scene.description + " " +
                                   [&] {
                                       std::string s;
                                       for (const auto& a : req.scene.actions) s += a + " ";
                                       for (const auto& l : req.scene.lines) s += l + " ";
                                       return s;
                                   }();
    StoryPalette pal = PaletteFor(req.style + " " + req.prompt + " " + scene_text);
    // The prompt keeps the world consistent across scenes; the scene adds its own details.
    StoryMotifs m = MotifsFor(req.prompt + " " + scene_text);
    if (!m.lighthouse && !m.tower && !m.city && !m.trees && !m.sea && !m.mountains && !m.desert) {
        m.hills = true;
        m.trees = true;
    }

    const int w = req.width, h = req.height;
    // A draft is the frame alone: no parallax margin and no layer files.
    const bool layers_out = opts_.write_layers && !req.draft;
    const int margin = layers_out ? static_cast<int>(std::lround(w * opts_.parallax_margin)) : 0;
    const int lw = w + 2 * margin;
    double scale = 1.0;
    if (req.scene.shot_type == "medium") scale = 1.35;
    if (req.scene.shot_type == "close" || req.scene.shot_type == "extreme_close") scale = 1.8;
    Rng rng(SeedFor(req));
    double horizon = h * rng.Uniform(0.56, 0.66);
    if (scale > 1.5) horizon = h * rng.Uniform(0.62, 0.72);
    double focus_x = margin + w * (rng.Uniform() < 0.5 ? rng.Uniform(0.62, 0.74) : rng.Uniform(0.26, 0.36));
    // A tall structure in a close shot moves toward the centre so it stays in frame.
    if (scale > 1.5) focus_x = margin + w * (focus_x > margin + w * 0.5 ? 0.62 : 0.38);

    SurfacePtr bg = NewSurface(lw, h), mid = NewSurface(lw, h), fg = NewSurface(lw, h), text = NewSurface(w, h);
    for (auto* s : {bg.get(), mid.get(), fg.get(), text.get()}) {
        if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) return Error::Internal("storyboard: cannot allocate surfaces");
    }
    {
        cairo_t* cr = cairo_create(bg.get());
        Canvas c{cr, static_cast<double>(lw), static_cast<double>(h), horizon, scale, focus_x};
        DrawSky(c, pal, m, rng);
        DrawFar(c, pal, m, rng);
        cairo_destroy(cr);
    }
    if (stop.stop_requested()) return Error::Canceled();
    {
        cairo_t* cr = cairo_create(mid.get());
        Canvas c{cr, static_cast<double>(lw), static_cast<double>(h), horizon, scale, focus_x};
        if (m.sea) DrawSea(c, pal, m, rng);
        if (m.city) DrawSkyline(c, pal, rng);
        if (m.hills && !m.sea) DrawLand(c, pal, m, rng);
        if (m.birds) DrawBirds(c, pal, rng);
        cairo_destroy(cr);
    }
    {
        cairo_t* cr = cairo_create(fg.get());
        Canvas c{cr, static_cast<double>(lw), static_cast<double>(h), horizon, scale, focus_x};
        if (m.lighthouse || m.tower) DrawTower(c, pal, m.lighthouse, rng);
        if (m.trees) DrawTrees(c, pal, rng);
        if (!m.lighthouse && !m.tower && m.sea) DrawForegroundShore(c, pal, rng);
        if (m.rain) DrawRain(c, pal, rng);
        cairo_destroy(cr);
    }
    if (stop.stop_requested()) return Error::Canceled();
    {
        cairo_t* cr = cairo_create(text.get());
        // With captions on, the picture carries only the scene title: the captions speak the lines.
        std::string heading;
        std::string sub;
        if (req.captions) {
            heading = req.scene_index == 0 && !req.title.empty() ? req.title : SceneTitle(req.scene);
        } else {
            heading = req.scene.lines.empty() ? req.scene.description : req.scene.lines.front();
            if (req.scene_index == 0 && !req.title.empty()) heading = req.title;
            sub = req.scene.description;
        }
        char label[160];
        std::snprintf(label, sizeof label, "STORYBOARD  \xC2\xB7  SCENE %d/%d  \xC2\xB7  %s",
                      req.scene_index + 1, std::max(1, req.scene_count),
                      Lower(req.scene.shot_type + " / " + req.scene.camera).c_str());
        for (char* q = label; *q; ++q) *q = static_cast<char>(std::toupper(static_cast<unsigned char>(*q)));
        DrawText(cr, opts_, pal, w, h, heading, sub, label);
        cairo_destroy(cr);
    }
    SurfacePtr frame = NewSurface(w, h);
    {
        cairo_t* cr = cairo_create(frame.get());
        for (auto* s : {bg.get(), mid.get(), fg.get()}) {
            cairo_set_source_surface(cr, s, -margin, 0);
            cairo_paint(cr);
        }
        Vignette(cr, w, h);
        cairo_set_source_surface(cr, text.get(), 0, 0);
        cairo_paint(cr);
        cairo_destroy(cr);
    }
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "scene%02d", req.scene_index + 1);
    PictureResult out;
    out.image = out_dir / (std::string(prefix) + "_frame.png");
    BEACON_CHECK(WritePng(frame.get(), out.image));
    if (layers_out) {
        const char* names[] = {"background", "mid", "foreground", "text"};
        cairo_surface_t* layers[] = {bg.get(), mid.get(), fg.get(), text.get()};
        for (int i = 0; i < 4; ++i) {
            auto path = out_dir / (std::string(prefix) + "_layer" + std::to_string(i) + "_" + names[i] + ".png");
            BEACON_CHECK(WritePng(layers[i], path));
            out.layers.push_back(path);
        }
    }
    out.provenance = Describe();
    out.provenance.parameters = {{"seed", req.seed}, {"width", w}, {"height", h},
                                 {"palette", pal.name}, {"parallax_margin_px", margin}};
    if (req.draft) out.provenance.parameters["draft"] = true;
    if (log && !req.draft) log("storyboard: painted scene " + std::to_string(req.scene_index + 1) + " (" + pal.name + ")");
    return out;
}

HealthCheck StoryboardPainter::Check() const {
    HealthCheck hc{"pictures", "storyboard", false, ""};
    SurfacePtr s = NewSurface(64, 64);
    cairo_t* cr = cairo_create(s.get());
    PangoLayout* layout = pango_cairo_create_layout(cr);
    PangoFontDescription* d = pango_font_description_from_string(opts_.heading_font.c_str());
    PangoFontMap* map = pango_cairo_font_map_get_default();
    PangoContext* ctx = pango_layout_get_context(layout);
    PangoFont* font = pango_font_map_load_font(map, ctx, d);
    std::string family;
    if (font) {
        PangoFontDescription* got = pango_font_describe(font);
        family = pango_font_description_get_family(got) ? pango_font_description_get_family(got) : "";
        pango_font_description_free(got);
        g_object_unref(font);
    }
    pango_font_description_free(d);
    g_object_unref(layout);
    cairo_destroy(cr);
    hc.ok = !family.empty();
    hc.detail = hc.ok ? "cairo " + std::string(cairo_version_string()) + ", heading font '" + family + "'"
                      : "no font matches '" + opts_.heading_font + "'";
    return hc;
}

}  // namespace beacon::engines
