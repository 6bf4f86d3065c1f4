#include "engines/storyboard.hpp"

#include "engines/concurrency.hpp"
#include "engines/planner.hpp"
#include "engines/storyboard_draw.hpp"

#include <cairo.h>
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>

namespace beacon::engines {
namespace {

std::filesystem::path TempDir(const std::string& name) {
    auto d = std::filesystem::temp_directory_path() / ("beacon_engines_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
}

PictureRequest Req(int w, int h, std::int64_t seed) {
    PictureRequest r;
    r.scene.description = "Wide establishing shot of a lighthouse on a stormy coast at dusk";
    r.scene.lines = {"A lighthouse on a stormy coast at dusk."};
    r.prompt = "A lighthouse on a stormy coast at dusk, emerald and gold palette";
    r.style = "cinematic";
    r.title = "The Keeper";
    r.width = w;
    r.height = h;
    r.seed = seed;
    return r;
}

struct Png {
    int w = 0, h = 0;
    double r = 0, g = 0, b = 0;  // mean colour
    std::vector<unsigned char> bytes;
};

Png Load(const std::filesystem::path& p) {
    Png out;
    cairo_surface_t* s = cairo_image_surface_create_from_png(p.c_str());
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return out;
    }
    out.w = cairo_image_surface_get_width(s);
    out.h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char* d = cairo_image_surface_get_data(s);
    out.bytes.assign(d, d + stride * out.h);
    double n = 0;
    for (int y = 0; y < out.h; ++y) {
        for (int x = 0; x < out.w; ++x) {
            const unsigned char* px = d + y * stride + x * 4;  // BGRA little-endian
            out.b += px[0];
            out.g += px[1];
            out.r += px[2];
            ++n;
        }
    }
    out.r /= n;
    out.g /= n;
    out.b /= n;
    cairo_surface_destroy(s);
    return out;
}

TEST(StoryboardTest, WritesFrameAndLayersOfTheRightSize) {
    StoryboardPainter p;
    auto dir = TempDir("story");
    auto r = p.Paint(Req(320, 180, 7), dir, {}, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    Png frame = Load(r->image);
    EXPECT_EQ(frame.w, 320);
    EXPECT_EQ(frame.h, 180);
    ASSERT_EQ(r->layers.size(), 4u);
    for (std::size_t i = 0; i < 3; ++i) {
        Png l = Load(r->layers[i]);
        EXPECT_GT(l.w, 320);  // wider for parallax
        EXPECT_EQ(l.h, 180);
    }
    Png text = Load(r->layers[3]);
    EXPECT_EQ(text.w, 320);
    EXPECT_EQ(r->provenance.engine, "storyboard");
    EXPECT_TRUE(r->provenance.builtin);
    std::filesystem::remove_all(dir);
}

TEST(StoryboardTest, ADraftIsTheSamePictureSmallerAndWithoutLayers) {
    StoryboardPainter p;
    EXPECT_TRUE(p.PaintsDrafts());
    LimitedPictureEngine limited(p, 1);  // how the app wraps it: drafts must still be asked for
    EXPECT_TRUE(limited.PaintsDrafts());
    auto dir_full = TempDir("draft_full");
    auto dir_draft = TempDir("draft_small");
    auto full = p.Paint(Req(640, 360, 7), dir_full, {}, {});
    PictureRequest dreq = Req(320, 180, 7);
    dreq.draft = true;
    auto draft = limited.Paint(dreq, dir_draft, {}, {});
    ASSERT_TRUE(full.ok() && draft.ok());
    EXPECT_TRUE(draft->layers.empty());
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_draft),
                            std::filesystem::directory_iterator()),
              1);  // the frame alone
    Png f = Load(full->image), d = Load(draft->image);
    EXPECT_EQ(d.w, 320);
    EXPECT_EQ(d.h, 180);
    // The same composition and palette: the mean colours agree closely (another seed's do not
    // need to; a different palette is tens of levels away).
    EXPECT_NEAR(d.r, f.r, 6.0);
    EXPECT_NEAR(d.g, f.g, 6.0);
    EXPECT_NEAR(d.b, f.b, 6.0);
    std::filesystem::remove_all(dir_full);
    std::filesystem::remove_all(dir_draft);
}

TEST(StoryboardTest, DeterministicFromSeedAndSeedsDiffer) {
    StoryboardPainter p;
    auto a = TempDir("story_a"), b = TempDir("story_b"), c = TempDir("story_c");
    auto ra = p.Paint(Req(320, 180, 1), a, {}, {});
    auto rb = p.Paint(Req(320, 180, 1), b, {}, {});
    auto rc = p.Paint(Req(320, 180, 2), c, {}, {});
    ASSERT_TRUE(ra.ok() && rb.ok() && rc.ok());
    EXPECT_EQ(Load(ra->image).bytes, Load(rb->image).bytes);
    EXPECT_NE(Load(ra->image).bytes, Load(rc->image).bytes);
    for (auto& d : {a, b, c}) std::filesystem::remove_all(d);
}

TEST(StoryboardTest, ColoursFollowThePalette) {
    StoryboardPainter p;
    auto d1 = TempDir("story_emerald"), d2 = TempDir("story_crimson");
    auto req = Req(320, 180, 3);
    req.prompt = "hills under an emerald sky";
    req.scene.description = "rolling hills";
    auto green = p.Paint(req, d1, {}, {});
    req.prompt = "hills under a crimson sky";
    auto red = p.Paint(req, d2, {}, {});
    ASSERT_TRUE(green.ok() && red.ok());
    Png g = Load(green->image), r = Load(red->image);
    EXPECT_GT(g.g, g.r);
    EXPECT_GT(r.r, r.g);
    EXPECT_EQ(PaletteFor("emerald and gold").name, "emerald+gold");
    EXPECT_EQ(PaletteFor("").name, "teal+gold");
    for (auto& d : {d1, d2}) std::filesystem::remove_all(d);
}

TEST(StoryboardTest, FullSizeFrameAndBadInput) {
    StoryboardPainter p;
    auto dir = TempDir("story_full");
    auto t0 = std::chrono::steady_clock::now();
    auto r = p.Paint(Req(1280, 720, 9), dir, {}, {});
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(r.ok());
    Png f = Load(r->image);
    EXPECT_EQ(f.w, 1280);
    EXPECT_EQ(f.h, 720);
    RecordProperty("paint_1280x720_ms", static_cast<int>(ms));
    EXPECT_FALSE(p.Paint(Req(0, 720, 1), dir, {}, {}).ok());
    EXPECT_FALSE(p.Paint(Req(100000, 720, 1), dir, {}, {}).ok());
    EXPECT_TRUE(p.Check().ok) << p.Check().detail;
    auto m = MotifsFor("a lighthouse on a stormy coast at night");
    EXPECT_TRUE(m.lighthouse && m.storm && m.sea && m.night);
    std::filesystem::remove_all(dir);
}

/// Pixels of the text layer covered by lettering (opaque; the scrim stays below alpha 0.62).
std::size_t InkedPixels(const Png& p) {
    std::size_t n = 0;
    for (std::size_t i = 3; i < p.bytes.size(); i += 4) n += p.bytes[i] > 200;
    return n;
}

TEST(StoryboardTest, WithCaptionsThePictureShowsTheSceneTitleNotTheLines) {
    StoryboardPainter p;
    auto req = Req(640, 360, 5);
    req.scene_index = 1;
    req.scene_count = 2;
    req.scene.description = "Close-up of the lighthouse keeper, as the beam sweeps across the dark.";
    req.scene.lines = {"The keeper climbs the stairs while thunder rolls in over the water."};
    EXPECT_EQ(SceneTitle(req.scene), "The Lighthouse Keeper");
    auto d1 = TempDir("story_cap1"), d2 = TempDir("story_cap2"), d3 = TempDir("story_cap3"),
         d4 = TempDir("story_cap4");
    auto on = p.Paint(req, d1, {}, {});
    auto other = req;
    other.scene.lines = {"A completely different narration line, much longer than the first one was."};
    auto on_other_line = p.Paint(other, d2, {}, {});
    req.captions = false;
    auto off = p.Paint(req, d3, {}, {});
    other.captions = false;
    auto off_other_line = p.Paint(other, d4, {}, {});
    ASSERT_TRUE(on.ok() && on_other_line.ok() && off.ok() && off_other_line.ok());
    // Captions on: the narration never reaches the picture; captions off: it is the heading.
    EXPECT_EQ(Load(on->layers[3]).bytes, Load(on_other_line->layers[3]).bytes);
    EXPECT_NE(Load(off->layers[3]).bytes, Load(off_other_line->layers[3]).bytes);
    // The title alone is less text than the line plus the description.
    EXPECT_LT(InkedPixels(Load(on->layers[3])), InkedPixels(Load(off->layers[3])));
    for (auto& d : {d1, d2, d3, d4}) std::filesystem::remove_all(d);
}

// The PNG writer (fast compression): cairo reads back every pixel as it was painted, straight
// alpha included, an opaque picture is RGB and a layer RGBA, and a file it cannot make is an
// error with nothing left behind.
TEST(StoryboardTest, ThePngWriterKeepsEveryPixelAndItsAlpha) {
    using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
    auto dir = TempDir("png_writer");
    auto pixels = [](cairo_surface_t* s) {
        cairo_surface_flush(s);
        const auto* d = cairo_image_surface_get_data(s);
        return std::vector<unsigned char>(
            d, d + static_cast<std::size_t>(cairo_image_surface_get_stride(s)) *
                       cairo_image_surface_get_height(s));
    };
    auto color_type = [](const std::filesystem::path& f) {
        std::ifstream in(f, std::ios::binary);
        std::vector<char> head(26);
        in.read(head.data(), 26);
        return static_cast<int>(head[25]);  // IHDR: 2 = RGB, 6 = RGBA
    };
    for (bool opaque : {true, false}) {
        Surface s(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 97, 31), cairo_surface_destroy);
        cairo_t* cr = cairo_create(s.get());
        cairo_set_source_rgb(cr, 0.1, 0.5, 0.9);
        if (opaque) cairo_paint(cr);
        // Gradients of colour and (for the layer) coverage: every premultiplied value occurs.
        cairo_pattern_t* g = cairo_pattern_create_linear(0, 0, 97, 31);
        cairo_pattern_add_color_stop_rgba(g, 0, 1, 0.2, 0, opaque ? 1 : 0.02);
        cairo_pattern_add_color_stop_rgba(g, 1, 0, 0.8, 0.3, opaque ? 1 : 0.98);
        cairo_set_source(cr, g);
        cairo_arc(cr, 48, 15, 14, 0, 6.3);
        cairo_fill(cr);
        cairo_pattern_destroy(g);
        cairo_destroy(cr);
        const auto file = dir / (opaque ? "opaque.png" : "layer.png");
        ASSERT_TRUE(storyboard::WritePng(s.get(), file).ok());
        EXPECT_EQ(color_type(file), opaque ? 2 : 6);
        Surface back(cairo_image_surface_create_from_png(file.c_str()), cairo_surface_destroy);
        ASSERT_EQ(cairo_surface_status(back.get()), CAIRO_STATUS_SUCCESS);
        // Reference: the same surface through cairo's own writer and reader.
        const auto ref_file = dir / "reference.png";
        ASSERT_EQ(cairo_surface_write_to_png(s.get(), ref_file.c_str()), CAIRO_STATUS_SUCCESS);
        Surface ref(cairo_image_surface_create_from_png(ref_file.c_str()), cairo_surface_destroy);
        EXPECT_EQ(pixels(back.get()), pixels(ref.get())) << (opaque ? "opaque" : "layer");
    }
    Surface s(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8), cairo_surface_destroy);
    const auto missing = dir / "no-such-folder" / "x.png";
    auto st = storyboard::WritePng(s.get(), missing);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("cannot write"), std::string::npos) << st.error().message;
    EXPECT_FALSE(std::filesystem::exists(missing));

    // A disk that fills up mid-file (a file size limit stands in for it): the error names the
    // reason and no truncated picture is left behind.
    Surface big(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 512, 512), cairo_surface_destroy);
    {
        std::uint32_t x = 12345;  // noise: compresses badly, so the file passes the limit
        auto* d = reinterpret_cast<std::uint32_t*>(cairo_image_surface_get_data(big.get()));
        for (int i = 0; i < 512 * 512; ++i) d[i] = 0xff000000u | ((x = x * 1103515245u + 12345u) >> 8);
        cairo_surface_mark_dirty(big.get());
    }
    struct rlimit before {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
    auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = before;
    small.rlim_cur = 64 * 1024;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    const auto full = dir / "full.png";
    auto st_full = storyboard::WritePng(big.get(), full);
    ::setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, old_handler);
    ASSERT_FALSE(st_full.ok());
    EXPECT_NE(st_full.error().message.find("File too large"), std::string::npos)
        << st_full.error().message;
    EXPECT_FALSE(std::filesystem::exists(full));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace beacon::engines
