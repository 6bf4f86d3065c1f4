#include "engines/error_tally.hpp"

#include <gtest/gtest.h>

#include "engines/factory.hpp"

namespace beacon::engines {
namespace {

/// Paints nothing: answers the queued results in order.
class ScriptedPainter final : public PictureEngine {
public:
    std::vector<Result<PictureResult>> answers;
    Result<PictureResult> Paint(const PictureRequest&, const std::filesystem::path&, const LogSink&,
                                std::stop_token) override {
        auto r = answers.front();
        answers.erase(answers.begin());
        return r;
    }
    Provenance Describe() const override { return {"scripted", "", Json::object()}; }
    bool RendersWorlds() const override { return true; }
};

class FailingTranslator final : public Translator {
public:
    Result<std::string> Translate(const std::string&, const std::string&, const std::string&,
                                  std::stop_token) override {
        return core::Error::External("bad answer");
    }
    Provenance Describe() const override { return {"failing", "", Json::object()}; }
};

TEST(ErrorTally, FailedCallsAreCountedByServiceAndClassCanceledOnesAreNot) {
    ScriptedPainter painter;
    painter.answers.push_back(core::Error::Unavailable("comfyui down"));
    painter.answers.push_back(PictureResult{});
    painter.answers.push_back(core::Error{core::ErrorCode::kTimeout, "slow"});
    painter.answers.push_back(core::Error::Canceled());
    painter.answers.push_back(core::Error::Unavailable("still down"));
    FailingTranslator translator;
    ErrorTally tally;
    EngineSet inner;
    inner.pictures = &painter;
    inner.translator = &translator;
    CountedEngines counted(inner, {.pictures = "comfyui", .translator = "ollama"}, tally);
    EngineSet set = counted.Set();
    EXPECT_EQ(set.script, nullptr);  // absent stays absent
    EXPECT_EQ(set.voice, nullptr);
    ASSERT_NE(set.pictures, nullptr);
    EXPECT_NE(set.pictures, &painter);
    EXPECT_TRUE(set.pictures->RendersWorlds());  // capabilities pass through
    EXPECT_EQ(set.pictures->Describe().engine, "scripted");

    std::vector<bool> ok;
    for (int i = 0; i < 5; ++i) ok.push_back(set.pictures->Paint({}, "/tmp", {}, {}).ok());
    EXPECT_EQ(ok, (std::vector<bool>{false, true, false, false, false}));  // answers unchanged
    EXPECT_FALSE(set.translator->Translate("hi", "en", "es", {}).ok());

    auto snap = tally.Snapshot();
    ASSERT_EQ(snap.size(), 3u);
    EXPECT_EQ(snap[0].service, "comfyui");
    EXPECT_EQ(snap[0].error_class, "timeout");
    EXPECT_EQ(snap[0].count, 1u);
    EXPECT_EQ(snap[1].service, "comfyui");
    EXPECT_EQ(snap[1].error_class, "unavailable");
    EXPECT_EQ(snap[1].count, 2u);
    EXPECT_EQ(snap[2].service, "ollama");
    EXPECT_EQ(snap[2].error_class, "external_error");
    EXPECT_EQ(snap[2].count, 1u);
}

TEST(ErrorTally, TheFactorysEnginesAreCountedAndKeepWhatTheyCanDo) {
    EngineOptions o;
    auto engines = Engines::Create(o);
    ASSERT_TRUE(engines.ok()) << engines.error().message;
    EngineSet set = (*engines)->Set();
    ASSERT_NE(set.pictures, nullptr);
    EXPECT_TRUE(set.pictures->PaintsDrafts());  // the built-in storyboard, through the wrapper
    EXPECT_TRUE((*engines)->errors().Snapshot().empty());
    // A voice that does not exist fails in the built-in engine and is counted under "flite".
    VoiceRequest bad;
    bad.text = "hello";
    bad.voice = "no-such-voice";
    auto spoke = set.voice->Speak(bad, "/nonexistent-dir/for/sure", {});
    ASSERT_FALSE(spoke.ok());
    auto snap = (*engines)->errors().Snapshot();
    ASSERT_EQ(snap.size(), 1u);
    EXPECT_EQ(snap[0].service, "flite");
    EXPECT_EQ(snap[0].error_class, core::ToString(spoke.error().code));
    EXPECT_EQ(snap[0].count, 1u);
}

}  // namespace
}  // namespace beacon::engines
