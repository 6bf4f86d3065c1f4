#include "verse/render.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "media/runner.hpp"
#include "verse/templates.hpp"

namespace beacon::verse {
namespace {

namespace fs = std::filesystem;

double Distance(const std::array<double, 3>& a, const std::array<double, 3>& b) {
    return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                     (a[2] - b[2]) * (a[2] - b[2]));
}

TEST(VerseCamera, SpecsAreCheckedAndNormalised) {
    EXPECT_EQ((*CheckCameraSpec(Json()))["preset"], "orbit");
    EXPECT_EQ((*CheckCameraSpec("dolly"))["preset"], "dolly");
    EXPECT_FALSE(CheckCameraSpec("spin").ok());
    EXPECT_FALSE(CheckCameraSpec(Json{{"path", Json::array()}}).ok());
    EXPECT_FALSE(CheckCameraSpec(Json{{"path", {{{"position", {0, 0}}, {"target", {0, 0, 0}}}}}}).ok());
    EXPECT_FALSE(CheckCameraSpec(Json{{"path", {{{"position", {0, 0, 1e9}}, {"target", {0, 0, 0}}}}}}).ok());
    auto extra = CheckCameraSpec(Json{{"path", {{{"position", {0, 1, 5}}, {"target", {0, 0, 0}}, {"script", "x"}}}}});
    ASSERT_FALSE(extra.ok());
    EXPECT_NE(extra.error().message.find("script"), std::string::npos);
    auto ok = CheckCameraSpec(Json{{"path", {{{"position", {0, 1, 5}}, {"target", {0, 0, 0}}, {"fov", 40}}}}});
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ((*ok)["path"][0]["fov"], 40);
}

TEST(VerseCamera, PresetsStartAtTheWorldsCameraAndMove) {
    Json doc = *MakeTemplate("lighthouse-coast", "T");
    const std::array<double, 3> pos = {8, 6, 12}, target = {0, 1, 0};
    doc["camera"] = {{"position", pos}, {"target", target}, {"fov", 50}};
    const CameraPose still = CameraFor(doc, {{"preset", "static"}}, 3, 5);
    EXPECT_EQ(still.position, pos);
    const CameraPose first = CameraFor(doc, {{"preset", "orbit"}}, 0, 5);
    EXPECT_LT(Distance(first.position, pos), 1e-9);
    const CameraPose second = CameraFor(doc, {{"preset", "orbit"}}, 1, 5);
    EXPECT_GT(Distance(second.position, pos), 1.0);  // moved round the target...
    EXPECT_NEAR(Distance(second.position, target), Distance(pos, target), 1e-9);  // ...at its distance
    const CameraPose last = CameraFor(doc, {{"preset", "dolly"}}, 4, 5);
    EXPECT_NEAR(Distance(last.position, target), Distance(pos, target) / 2, 1e-9);
    Json path = *CheckCameraSpec(Json{{"path",
                                       {{{"position", {0, 1, 10}}, {"target", {0, 0, 0}}},
                                        {{"position", {10, 1, 0}}, {"target", {0, 0, 0}}}}}});
    EXPECT_EQ(CameraFor(doc, path, 0, 3).position, (std::array<double, 3>{0, 1, 10}));
    EXPECT_EQ(CameraFor(doc, path, 1, 3).position, (std::array<double, 3>{5, 1, 5}));
    EXPECT_EQ(CameraFor(doc, path, 2, 3).position, (std::array<double, 3>{10, 1, 0}));
}

// ---- the real render (headless Chromium + the web build's render bundle) -------------------

fs::path Bundle() {
    if (const char* b = std::getenv("BEACON_VERSE_RENDER_BUNDLE")) return b;
    return fs::path(BEACON_SOURCE_DIR) / "web/dist/verse-render/render.js";
}

fs::path TempDir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("beacon-verse-render-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

/// The PNG scaled down to 16x9 RGB by ffmpeg: a coarse map of the picture's colours.
std::vector<std::array<int, 3>> Grid(const std::string& png, const fs::path& dir) {
    const fs::path file = dir / "frame.png";
    std::ofstream(file, std::ios::binary) << png;
    media::RunOptions ro;
    ro.timeout = std::chrono::seconds(60);
    auto run = media::RunProcess({"ffmpeg", "-v", "error", "-i", file.string(), "-vf",
                                  "scale=16:9:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"},
                                 ro);
    EXPECT_TRUE(run.ok()) << (run.ok() ? "" : run.error().message);
    std::vector<std::array<int, 3>> out;
    if (!run.ok()) return out;
    const std::string& raw = run->stdout_text;
    for (std::size_t i = 0; i + 2 < raw.size(); i += 3) {
        out.push_back({static_cast<unsigned char>(raw[i]), static_cast<unsigned char>(raw[i + 1]),
                       static_cast<unsigned char>(raw[i + 2])});
    }
    return out;
}

std::array<int, 3> Hex(const std::string& h) {
    return {std::stoi(h.substr(1, 2), nullptr, 16), std::stoi(h.substr(3, 2), nullptr, 16),
            std::stoi(h.substr(5, 2), nullptr, 16)};
}

int ColourDistance(const std::array<int, 3>& a, const std::array<int, 3>& b) {
    return std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]);
}

double MeanDifference(const std::vector<std::array<int, 3>>& a, const std::vector<std::array<int, 3>>& b) {
    double sum = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) sum += ColourDistance(a[i], b[i]);
    return a.empty() ? 0 : sum / static_cast<double>(a.size());
}

class VerseRender : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists(Bundle())) {
            GTEST_SKIP() << "the render bundle " << Bundle()
                         << " is not built (cd web && npm run build); the world render is not tested";
        }
    }
};

TEST_F(VerseRender, DrawsTheWorldsSkyAndShapesFromItsCamera) {
    const fs::path dir = TempDir("draw");
    Json lighthouse = *MakeTemplate("lighthouse-coast", "T");
    // Sky straight ahead at the top of the frame: a camera looking up a little, nothing above.
    lighthouse["environment"]["fog"] = nullptr;
    RenderOptions ro;
    ro.bundle = Bundle();
    ro.work_dir = dir / "a";
    const CameraPose doc_camera = CameraFor(lighthouse, {{"preset", "static"}}, 0, 1);
    CameraPose up = doc_camera;
    up.target = {doc_camera.position[0], doc_camera.position[1] + 10, doc_camera.position[2] - 1};
    auto frames = RenderFrames(ro, lighthouse, {}, 320, 180, {doc_camera, up});
    ASSERT_TRUE(frames.ok()) << frames.error().message;
    ASSERT_EQ(frames->size(), 2u);
    ASSERT_TRUE(frames->at(0).starts_with("\x89PNG"));
    if (const char* keep = std::getenv("BEACON_VERSE_KEEP")) {  // to look at the frames
        std::ofstream(fs::path(keep) / "world.png", std::ios::binary) << frames->at(0);
        std::ofstream(fs::path(keep) / "sky.png", std::ios::binary) << frames->at(1);
    }
    auto scene = Grid(frames->at(0), dir);
    auto sky = Grid(frames->at(1), dir);
    ASSERT_EQ(scene.size(), 144u);
    // Looking up: the top row is the document's sky colour (its gradient's top, within rounding
    // and tone mapping).
    const auto top = Hex(lighthouse["environment"]["sky"]["top"].get<std::string>());
    EXPECT_LT(ColourDistance(sky[7], top), 60) << sky[7][0] << "," << sky[7][1] << "," << sky[7][2];
    // From the world's camera the shapes are drawn: the frame is far from one flat colour.
    int varied = 0;
    for (const auto& c : scene) varied += ColourDistance(c, scene[0]) > 40 ? 1 : 0;
    EXPECT_GT(varied, 20);
    // Each frame is drawn from its own camera: looking up leaves the sea and the island out.
    EXPECT_GT(MeanDifference(scene, sky), 30);

    // Another world from the same camera is another picture.
    Json street = *MakeTemplate("neon-street", "T");
    street["camera"] = lighthouse["camera"];
    ro.work_dir = dir / "b";
    auto other = RenderFrames(ro, street, {}, 320, 180, {doc_camera});
    ASSERT_TRUE(other.ok()) << other.error().message;
    EXPECT_GT(MeanDifference(scene, Grid(other->at(0), dir)), 40);
    fs::remove_all(dir);
}

// The measure for docs/BENCHMARKS.md (BEACON_VERSE_BENCH=1): wall time of one 1280x720 frame
// per Chromium launch (what a scene costs) and of each further frame in one launch. Reported only.
TEST_F(VerseRender, BenchFrameTime1280x720) {
    if (!std::getenv("BEACON_VERSE_BENCH")) GTEST_SKIP() << "set BEACON_VERSE_BENCH=1 to measure";
    const fs::path dir = TempDir("bench");
    for (const auto& t : Templates()) {
        Json doc = *MakeTemplate(t.id, "T");
        RenderOptions ro;
        ro.bundle = Bundle();
        std::vector<double> singles;
        for (int run = 0; run < 3; ++run) {
            ro.work_dir = dir / (t.id + std::to_string(run));
            auto t0 = std::chrono::steady_clock::now();
            auto one = RenderFrames(ro, doc, {}, 1280, 720, {CameraFor(doc, {{"preset", "orbit"}}, run, 3)});
            ASSERT_TRUE(one.ok()) << one.error().message;
            singles.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        std::vector<CameraPose> eight;
        for (int i = 0; i < 8; ++i) eight.push_back(CameraFor(doc, {{"preset", "orbit"}}, i, 8));
        ro.work_dir = dir / (t.id + "-8");
        auto t0 = std::chrono::steady_clock::now();
        auto many = RenderFrames(ro, doc, {}, 1280, 720, eight);
        ASSERT_TRUE(many.ok()) << many.error().message;
        const double eight_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::sort(singles.begin(), singles.end());
        std::printf("verse render bench: %s 1280x720: one frame per launch median %.0f ms (min %.0f, max %.0f); "
                    "8 frames in one launch %.0f ms (%.0f ms/frame); PNG %zu KB\n",
                    t.id.c_str(), singles[1], singles[0], singles[2], eight_ms, eight_ms / 8,
                    many->front().size() / 1024);
    }
    fs::remove_all(dir);
}

TEST(VerseRenderFailures, NoChromiumOrNoBundleIsAnErrorNeverAPicture) {
    const fs::path dir = TempDir("fail");
    std::ofstream(dir / "render.js") << "/* a bundle */";
    Json doc = *MakeTemplate("empty-stage", "T");
    RenderOptions ro;
    ro.chromium = (dir / "no-such-chromium").string();
    ro.bundle = dir / "render.js";
    ro.work_dir = dir / "w";
    auto none = RenderFrames(ro, doc, {}, 64, 36, {CameraPose{}});
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.error().message.find("Chromium"), std::string::npos) << none.error().message;
    ro.chromium = "chromium";
    ro.bundle = dir / "missing.js";
    auto nobundle = RenderFrames(ro, doc, {}, 64, 36, {CameraPose{}});
    ASSERT_FALSE(nobundle.ok());
    EXPECT_NE(nobundle.error().message.find("render bundle"), std::string::npos);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace beacon::verse
