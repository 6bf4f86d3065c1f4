// Scenery motifs of the storyboard painter: sky, distant ridges, sea, land, skyline, towers and
// lighthouses, trees, shore, rain and birds.
#include <algorithm>
#include <cmath>

#include "engines/storyboard_draw.hpp"

namespace beacon::engines::storyboard {

namespace {

void RidgePath(cairo_t* cr, double w, double base, double amp, Rng& rng, bool jagged,
               double bottom) {
    double f1 = rng.Uniform(1.5, 3.5), f2 = rng.Uniform(4, 9), ph1 = rng.Uniform(0, 6.28),
           ph2 = rng.Uniform(0, 6.28);
    cairo_move_to(cr, 0, bottom);
    int steps = jagged ? 28 : 90;
    for (int i = 0; i <= steps; ++i) {
        double x = w * i / steps;
        double t = x / w;
        double y = base - amp * (0.6 * std::sin(t * f1 * kPi + ph1) +
                                 0.3 * std::sin(t * f2 * kPi + ph2) + 0.4);
        if (jagged) y -= amp * rng.Uniform(0, 0.5);
        cairo_line_to(cr, x, y);
    }
    cairo_line_to(cr, w, bottom);
    cairo_close_path(cr);
}

void DrawBeams(const Canvas& c, const StoryPalette& p, double lx, double ly, double size,
               Rng& rng) {
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

}  // namespace

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
    cairo_pattern_t* glow =
        cairo_pattern_create_radial(c.w * 0.5, c.horizon, 0, c.w * 0.5, c.horizon, c.w * 0.6);
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

void DrawFar(const Canvas& c, const StoryPalette& p, const StoryMotifs& m, Rng& rng) {
    cairo_t* cr = c.cr;
    if (m.mountains || m.desert || (!m.sea && !m.city)) {
        RidgePath(cr, c.w, c.horizon, c.h * (m.mountains ? 0.22 : 0.08), rng, m.mountains,
                  c.horizon + 2);
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
            Set(cr, Mix(p.glow, p.water, 0.3),
                (m.storm ? 0.25 : 0.15) + 0.3 * t * rng.Uniform(0.3, 1));
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

void DrawTower(const Canvas& c, const StoryPalette& p, bool lighthouse, Rng& rng) {
    cairo_t* cr = c.cr;
    double base_y = c.horizon + (c.h - c.horizon) * 0.35;
    // Tower height; the lantern and cap stay inside the frame even in a close shot.
    double s = std::min(c.h * 0.42 * c.scale, (base_y - c.h * 0.16) / 1.0);
    double x = c.focus_x;
    // The rock it stands on.
    Set(cr, p.near);
    cairo_move_to(cr, x - s * 0.9, c.h);
    cairo_curve_to(cr, x - s * 0.7, base_y + s * 0.02, x - s * 0.35, base_y - s * 0.04, x,
                   base_y - s * 0.03);
    cairo_curve_to(cr, x + s * 0.4, base_y - s * 0.02, x + s * 0.75, base_y + s * 0.06, x + s * 1.1,
                   c.h);
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
            double w0 = bw - (bw - tw) * ((base_y - y0) / s),
                   w1 = bw - (bw - tw) * ((base_y - y1) / s);
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

}  // namespace beacon::engines::storyboard
