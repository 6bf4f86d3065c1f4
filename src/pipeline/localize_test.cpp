// The localize job's pure policy: request parsing, sentence merging, the fit plan, dub cues,
// and the master playlist edits that add or remove a language.
#include <gtest/gtest.h>

#include "media/hls.hpp"
#include "pipeline/localize.hpp"

namespace beacon::pipeline {
namespace {

TEST(LocalizeRequestTest, NamesTheFieldThatIsWrong) {
    auto ok = ParseLocalizeRequest({{"language", "es"}, {"captions_only", true}});
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->language, "es");
    EXPECT_TRUE(ok->captions_only);
    EXPECT_NE(ParseLocalizeRequest(core::Json::object()).error().message.find("language"),
              std::string::npos);
    EXPECT_NE(ParseLocalizeRequest({{"language", "Spanish"}}).error().message.find("ISO 639-1"),
              std::string::npos);
    EXPECT_NE(ParseLocalizeRequest({{"language", "es"}, {"speed", 2}}).error().message.find("speed"),
              std::string::npos);
    EXPECT_FALSE(ParseLocalizeRequest({{"language", "es"}, {"captions_only", "yes"}}).ok());
}

TEST(TargetsTest, ApertiumPairsFromTheItemsLanguageOnly) {
    const std::vector<std::string> pairs = {"eng-spa", "spa-eng", "eng-cat", "fra-cat", "eng-mkd",
                                            "en-gl", "eo-en", "en-eo", "gl-en"};
    EXPECT_EQ(ApertiumTargets(pairs, "en"),
              (std::vector<std::string>{"ca", "eo", "es", "gl", "mkd"}));
    EXPECT_EQ(ApertiumTargets(pairs, "gl"), (std::vector<std::string>{"en"}));
    EXPECT_EQ(ApertiumTargets(pairs, "es"), (std::vector<std::string>{"en"}));
    EXPECT_TRUE(ApertiumTargets(pairs, "de").empty());
}

TEST(SentencesFromCuesTest, JoinsCuesThatContinueASentence) {
    std::vector<engines::Cue> cues = {{0.0, 1.5, "The lighthouse keeps"},
                                      {1.6, 3.0, "the storms at bay."},
                                      {3.5, 5.0, "Waves\nfall silent."},
                                      {5.1, 6.0, "Then"},
                                      {7.0, 8.0, "morning."}};
    auto lines = SentencesFromCues(cues);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].text, "The lighthouse keeps the storms at bay.");
    EXPECT_DOUBLE_EQ(lines[0].start, 0.0);
    EXPECT_DOUBLE_EQ(lines[0].end, 3.0);
    EXPECT_EQ(lines[1].text, "Waves fall silent.");
    EXPECT_EQ(lines[2].text, "Then");  // a long pause ends the line even without a full stop
    EXPECT_DOUBLE_EQ(lines[3].start, 7.0);
}

TEST(PlanFitTest, PadsShortLinesAndGoesBeyondTenPercentOnlyAsALastResort) {
    FitPlan pad = PlanFit(1.0, 2.0, true);
    EXPECT_DOUBLE_EQ(pad.rate, 1.0);
    EXPECT_DOUBLE_EQ(pad.tempo, 1.0);
    EXPECT_FALSE(pad.over_speed);
    FitPlan faster = PlanFit(2.1, 2.0, true);  // the voice speaks 1.05x faster itself
    EXPECT_NEAR(faster.rate, 1.05, 1e-9);
    EXPECT_DOUBLE_EQ(faster.tempo, 1.0);
    EXPECT_FALSE(faster.over_speed);
    FitPlan much = PlanFit(4.0, 2.0, true);  // 2x too long: rate capped, tempo capped, flagged
    EXPECT_DOUBLE_EQ(much.rate, kMaxRate);
    EXPECT_DOUBLE_EQ(much.tempo, kMaxTempo);
    EXPECT_TRUE(much.over_speed);
    FitPlan no_rate = PlanFit(2.1, 2.0, false);
    EXPECT_DOUBLE_EQ(no_rate.rate, 1.0);
    EXPECT_NEAR(no_rate.tempo, 1.05, 1e-9);
    EXPECT_DOUBLE_EQ(TempoFor(1.0, 2.0), 1.0);
    EXPECT_DOUBLE_EQ(TempoFor(3.0, 2.0), kMaxTempo);
}

TEST(PlaceDubLineTest, StartsAtTheCueAndBorrowsOnlyTheOnsetTolerance) {
    // Fits: starts on its cue, slot up to the next cue less the gap.
    DubPlacement fit = PlaceDubLine(2.0, 5.0, false, 1.0, 2.0, true);
    EXPECT_DOUBLE_EQ(fit.start, 2.0);
    EXPECT_NEAR(fit.slot, 3.0 - kLineGap, 1e-9);
    EXPECT_DOUBLE_EQ(fit.plan.rate, 1.0);
    // Too long even at 1.1x: starts early (the previous line ended long ago) and runs into the
    // next cue's tolerance; never more than kOnsetShift either side.
    // 2.2 s does not fit 1.95 s at 1.1x: the line starts early (the previous line ended long
    // ago) and runs into the next cue's tolerance, never more than kOnsetShift either side, and
    // then fits without going beyond 1.1x.
    DubPlacement tight = PlaceDubLine(2.0, 4.0, false, 1.0, 2.2, true);
    EXPECT_NEAR(tight.start, 2.0 - kOnsetShift, 1e-9);
    EXPECT_NEAR(tight.start + tight.slot, 4.0 + kOnsetShift - kLineGap, 1e-9);
    EXPECT_LE(tight.plan.rate * tight.plan.tempo, kMaxSpeed + 1e-9);
    EXPECT_FALSE(tight.plan.over_speed);
    // Without the tolerance it would have needed more than 1.1x.
    EXPECT_TRUE(PlanFit(2.2, 4.0 - kLineGap - 2.0 - 0.0, true).rate * 1.0 > 1.1 - 1e-9);
    // The previous line ran on: this one starts late, but at most kOnsetShift late.
    DubPlacement late = PlaceDubLine(4.0, 8.0, false, 3.98, 1.0, true);
    EXPECT_NEAR(late.start, 3.98 + kLineGap, 1e-9);
    EXPECT_LE(late.start - 4.0, kOnsetShift + 1e-9);
    DubPlacement capped = PlaceDubLine(4.0, 8.0, false, 4.5, 1.0, true);
    EXPECT_NEAR(capped.start, 4.0 + kOnsetShift, 1e-9);
    // An early start never goes before the previous line's end plus the gap, nor before 0.
    DubPlacement first = PlaceDubLine(0.0, 1.0, false, -1, 3.0, false);
    EXPECT_DOUBLE_EQ(first.start, 0.0);
    DubPlacement after = PlaceDubLine(2.0, 3.0, false, 1.98, 3.0, true);
    EXPECT_NEAR(after.start, 2.03, 1e-9);
    EXPECT_TRUE(after.plan.over_speed);  // 3 s into about 1 s: the last resort, flagged
    // The last line may take the rest of the item, not beyond.
    DubPlacement last = PlaceDubLine(10.0, 12.0, true, 9.0, 5.0, true);
    EXPECT_NEAR(last.start + last.slot, 12.0, 1e-9);
}

TEST(CuesForLinesTest, EachLineStartsACueAtItsOwnTimeWithinCaptionLimits) {
    std::vector<SourceLine> lines = {
        {0.5, 4.0, "El faro controla las tormentas y la luz esmeralda barre el mar en calma."},
        {5.0, 6.0, "Fin."}};
    auto cues = CuesForLines(lines);
    ASSERT_GE(cues.size(), 2u);
    EXPECT_DOUBLE_EQ(cues.front().start, 0.5);
    EXPECT_DOUBLE_EQ(cues.back().start, 5.0);
    EXPECT_NEAR(cues.back().end, 6.0, 1e-9);
    for (const auto& c : cues) {
        int lines_in_cue = 1;
        std::size_t line_len = 0;
        for (char ch : c.text) {
            if (ch == '\n') {
                ++lines_in_cue;
                line_len = 0;
            } else if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) {
                ++line_len;
            }
            EXPECT_LE(line_len, 42u) << c.text;
        }
        EXPECT_LE(lines_in_cue, 2) << c.text;
        EXPECT_LE(c.end - c.start, 7.0);
    }
}

TEST(MasterLanguageTest, AddsAndRemovesOneLanguageKeepingTheRest) {
    media::MasterSpec spec;
    spec.bandwidth = 1000;
    spec.codecs = "avc1.640028,mp4a.40.2";
    spec.width = 1280;
    spec.height = 720;
    spec.audio = {{"en", "English", true, "audio_en/index.m3u8"}};
    spec.subtitles = {{"en", "English", "subs_en/index.m3u8"}};
    const std::string master = media::WriteMasterPlaylist(spec);
    media::AudioRendition es{"es", "Español", false, "audio_es/index.m3u8"};
    media::SubtitleRendition es_subs{"es", "Español", "subs_es/index.m3u8"};
    const std::string both = media::MasterWithLanguage(master, &es, &es_subs);
    // Same as packaging both languages at once.
    media::MasterSpec spec2 = spec;
    spec2.audio.push_back(es);
    spec2.subtitles.push_back(es_subs);
    EXPECT_EQ(both, media::WriteMasterPlaylist(spec2));
    EXPECT_EQ(media::MasterWithoutLanguage(both, "es"), master);

    // Captions only, on an item that had no subtitles: the variant gains SUBTITLES=.
    media::MasterSpec bare = spec;
    bare.subtitles.clear();
    const std::string subs_only =
        media::MasterWithLanguage(media::WriteMasterPlaylist(bare), nullptr, &es_subs);
    EXPECT_NE(subs_only.find("TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Español\",LANGUAGE=\"es\""),
              std::string::npos);
    EXPECT_NE(subs_only.find("SUBTITLES=\"subs\"\nvideo/index.m3u8"), std::string::npos);
    EXPECT_EQ(media::MasterWithoutLanguage(subs_only, "es"), media::WriteMasterPlaylist(bare));
}

}  // namespace
}  // namespace beacon::pipeline
