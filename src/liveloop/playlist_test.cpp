#include "liveloop/playlist.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "liveloop/test_support.hpp"

namespace beacon::liveloop {
namespace {

using testing::Item;

constexpr UnixMillis kT0 = 1795932000000;  // 2026-11-29T06:00:00Z

std::string Golden(const std::string& name, const std::string& actual) {
    const std::string path = std::string(BEACON_SOURCE_DIR) + "/src/liveloop/testdata/" + name;
    if (std::getenv("BEACON_UPDATE_GOLDEN")) {
        std::ofstream(path) << actual;
    }
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A small channel: A (4+4+3 s, audio en+es, subs en), B (4+2.5 s, audio en), C (1.5 s, audio
/// fr, subs en, 640 wide: another format), played in order. A -> B runs on; B -> C and C -> A
/// are discontinuities.
struct GoldenChannel {
    Catalog cat{{1, Item(1, {4, 4, 3}, {"en", "es"}, {"en"})},
                {2, Item(2, {4, 2.5}, {"en"})},
                {3, Item(3, {1.5}, {"fr"}, {"en"}, 4, 640)}};
    ChannelState s = NewChannelState(kT0, 5, 4, 0);
    GoldenChannel() {
        Extend(s, Schedule{{1, 2, 3}}, cat, kT0, kT0 + 120000);
        LearnLanguages(s, cat, {1, 2, 3});
    }
};

TEST(Playlist, GoldenMediaPlaylistsAgreeAcrossRenditions) {
    GoldenChannel ch;
    // 06:00:30.5: window of 6 = B@15, C@17.5, A@19, A@23, A@27, B@30.
    auto w = ComputeWindow(ch.s, ch.cat, kT0 + 30500, 6);
    ASSERT_EQ(w.segments.size(), 6u);
    EXPECT_EQ(w.next_change, kT0 + 34000);  // B (from 30 s) has its second segment at 34 s
    UriScheme uris;
    uris.query = "?key=k123";
    const auto video = RenderMediaPlaylist(w, {RenditionKind::kVideo, ""}, 4, uris);
    const auto audio_es = RenderMediaPlaylist(w, {RenditionKind::kAudio, "es"}, 4, uris);
    const auto subs_en = RenderMediaPlaylist(w, {RenditionKind::kSubtitles, "en"}, 4, uris);
    const auto muxed_fr = RenderMediaPlaylist(w, {RenditionKind::kMuxed, "fr"}, 4, uris);
    EXPECT_EQ(video, Golden("golden_video.m3u8", video));
    EXPECT_EQ(muxed_fr, Golden("golden_muxed_fr.m3u8", muxed_fr));
    EXPECT_EQ(audio_es, Golden("golden_audio_es.m3u8", audio_es));
    EXPECT_EQ(subs_en, Golden("golden_subs_en.m3u8", subs_en));
    auto info = DescribeChannel(ch.s, ch.cat, {1, 2, 3});
    info.query = "?key=k123";
    const auto master = RenderMasterPlaylist(info);
    EXPECT_EQ(master, Golden("golden_master.m3u8", master));
}

TEST(Playlist, FirstSegmentNeverCarriesADiscontinuityAndDsnFoldsRemovedOnes) {
    GoldenChannel ch;
    // At 06:00:19.0 the second A starts; window 1 → only that segment, DSN = 2 (B -> C and
    // C -> A changed format; A -> B did not).
    auto w = ComputeWindow(ch.s, ch.cat, kT0 + 19000, 1);
    ASSERT_EQ(w.segments.size(), 1u);
    EXPECT_FALSE(w.segments[0].discontinuity);
    EXPECT_EQ(w.discontinuity_sequence, 2);
    EXPECT_EQ(w.media_sequence, 6);
    auto text = RenderMediaPlaylist(w, {RenditionKind::kVideo, ""}, 4, {});
    EXPECT_EQ(text.find("#EXT-X-DISCONTINUITY\n"), std::string::npos);
    EXPECT_NE(text.find("#EXT-X-DISCONTINUITY-SEQUENCE:2\n"), std::string::npos);
}

TEST(Playlist, NothingStartedYieldsAnEmptyWindow) {
    GoldenChannel ch;
    auto w = ComputeWindow(ch.s, ch.cat, kT0 - 1, 15);
    EXPECT_TRUE(w.segments.empty());
    EXPECT_EQ(w.next_change, kT0);
}

TEST(Playlist, EmptyWebVttMapsToTheItemsFirstPts) {
    EXPECT_EQ(EmptyWebVtt(126000), "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:126000\n\n");
}

// ---- property test -------------------------------------------------------------------------

struct ParsedSegment {
    double extinf = 0;
    UnixMillis pdt = 0;
    bool discontinuity = false;
    std::string uri;
};
struct Parsed {
    int target_duration = -1;
    std::int64_t msn = -1;
    std::int64_t dsn = -1;
    std::vector<ParsedSegment> segments;
};

UnixMillis ParsePdt(const std::string& s) {
    auto t = ParseRfc3339(s);
    if (!t) throw std::runtime_error("bad PDT " + s);
    return *t;
}

Parsed Parse(const std::string& text) {
    Parsed p;
    std::istringstream in(text);
    std::string line;
    ParsedSegment cur;
    bool pending_pdt = false;
    std::getline(in, line);
    if (line != "#EXTM3U") throw std::runtime_error("no #EXTM3U");
    while (std::getline(in, line)) {
        auto value = [&](const char* tag) { return line.substr(std::string(tag).size()); };
        if (line.rfind("#EXT-X-TARGETDURATION:", 0) == 0) {
            p.target_duration = std::stoi(value("#EXT-X-TARGETDURATION:"));
        } else if (line.rfind("#EXT-X-MEDIA-SEQUENCE:", 0) == 0) {
            if (!p.segments.empty()) throw std::runtime_error("MEDIA-SEQUENCE after a segment");
            p.msn = std::stoll(value("#EXT-X-MEDIA-SEQUENCE:"));
        } else if (line.rfind("#EXT-X-DISCONTINUITY-SEQUENCE:", 0) == 0) {
            if (!p.segments.empty()) throw std::runtime_error("DSN after a segment");
            p.dsn = std::stoll(value("#EXT-X-DISCONTINUITY-SEQUENCE:"));
        } else if (line == "#EXT-X-DISCONTINUITY") {
            cur.discontinuity = true;
        } else if (line.rfind("#EXT-X-PROGRAM-DATE-TIME:", 0) == 0) {
            cur.pdt = ParsePdt(value("#EXT-X-PROGRAM-DATE-TIME:"));
            pending_pdt = true;
        } else if (line.rfind("#EXTINF:", 0) == 0) {
            cur.extinf = std::stod(value("#EXTINF:"));
        } else if (line.rfind("#EXT-X-PLAYLIST-TYPE", 0) == 0 || line == "#EXT-X-ENDLIST") {
            throw std::runtime_error("live playlist with " + line);
        } else if (!line.empty() && line[0] != '#') {
            if (!pending_pdt) throw std::runtime_error("segment without PDT");
            cur.uri = line;
            p.segments.push_back(cur);
            cur = ParsedSegment{};
            pending_pdt = false;
        }
    }
    return p;
}

/// Every URI names the channel's segment of its rendition by MSN: v/<msn>.ts, a/<lang>/<msn>.ts,
/// s/<lang>/<msn>.vtt (the server resolves it to the item's file).
void CheckUri(const std::string& uri, const std::string& folder, std::int64_t msn,
              const std::string& query) {
    ASSERT_GE(uri.size(), query.size());
    ASSERT_EQ(uri.substr(uri.size() - query.size()), query) << uri;
    const std::string path = uri.substr(0, uri.size() - query.size());
    std::string expected;
    if (folder == "video") {
        expected = "v/";
    } else if (folder.rfind("audio_", 0) == 0) {
        expected = "a/" + folder.substr(6) + "/";
    } else {
        expected = "s/" + folder.substr(5) + "/";
    }
    expected += std::to_string(msn) + (folder.rfind("subs_", 0) == 0 ? ".vtt" : ".ts");
    ASSERT_EQ(path, expected);
}

struct SeenSegment {
    std::int64_t content_id;
    int index;
    UnixMillis pdt;
    std::int64_t dsn;
};

TEST(Playlist, PropertyThousandsOfPollsKeepTheInvariants) {
    constexpr int kTd = 4;
    constexpr int kWindow = 6;
    constexpr std::int64_t kHorizon = 30000;
    std::mt19937_64 rng(20261129);
    auto uniform = [&](int lo, int hi) {
        return std::uniform_int_distribution<int>(lo, hi)(rng);
    };
    // Every item ever known (for URI checks), and the live catalog (what the service knows).
    Catalog everything{
        {1, Item(1, {4, 4, 3.04}, {"en", "es"}, {"en"})},
        {2, Item(2, {4, 2.48}, {"en"})},
        {3, Item(3, {1.5}, {"fr"}, {"en"})},
        {4, Item(4, {4, 4, 4, 4, 4, 0.32}, {"es", "en"}, {"en", "es"})},
        {5, Item(5, {3.96, 4.04, 2}, {"en"}, {"es"})},
        {6, Item(6, {0.64}, {"en"})},
        {7, Item(7, {4, 4, 4, 4}, {"de"})},
        {8, Item(8, {4, 2}, {"en"}, {}, kTd, 640)},  // another format: a real discontinuity
    };
    Catalog cat = everything;
    Schedule sched{{1, 2, 3, 4, 5}};
    const std::vector<Rendition> renditions{
        {RenditionKind::kVideo, ""},         {RenditionKind::kAudio, "en"},
        {RenditionKind::kAudio, "es"},       {RenditionKind::kAudio, "fr"},
        {RenditionKind::kSubtitles, "en"},   {RenditionKind::kSubtitles, "es"},
    };
    const std::vector<std::string> folders{"video",  "audio_en", "audio_es",
                                           "audio_fr", "subs_en", "subs_es"};
    UriScheme uris;
    uris.query = "?key=abc";

    UnixMillis wall = kT0;
    ChannelState s = NewChannelState(wall, 1234, kTd, kWindow * kTd * 1000);
    std::vector<std::int64_t> last_msn(renditions.size(), -1), last_dsn(renditions.size(), -1);
    std::map<std::int64_t, SeenSegment> seen;  // video MSN → what it was
    int boundaries_seen = 0, inserts = 0, restarts = 0, deletions = 0;
    int discontinuities_seen = 0;
    std::set<std::int64_t> played_inserts;  // first MSNs of inserted plays that went on air
    UnixMillis last_now = 0;
    std::int64_t insert_seq = 0;

    for (int step = 0; step < 6000; ++step) {
        // Time passes (occasionally a lot, or backwards).
        int roll = uniform(0, 999);
        if (roll < 5) {
            wall -= uniform(1, 7) * 1000;  // small step back: channel holds still
        } else if (roll < 8) {
            wall -= 3600000;  // big step back: absorbed into skew
        } else if (roll < 10) {
            wall += uniform(1, 10) * 3600000LL;  // forward jump (sleep, downtime)
        } else {
            wall += uniform(200, 5000);
        }
        // Edits.
        roll = uniform(0, 999);
        const int event = roll;
        if (roll < 15) {
            std::shuffle(sched.items.begin(), sched.items.end(), rng);
        } else if (roll < 25 && sched.items.size() > 1) {
            sched.items.erase(sched.items.begin() + uniform(0, static_cast<int>(sched.items.size()) - 1));
        } else if (roll < 40) {
            std::int64_t id = uniform(1, 8);
            if (cat.count(id) && !cat[id]->gone) sched.items.push_back(id);
        } else if (roll < 50) {
            sched.mode = sched.mode == LoopMode::kShuffle ? LoopMode::kInOrder : LoopMode::kShuffle;
        } else if (roll < 65) {
            Insert ins;
            ins.id = "i" + std::to_string(++insert_seq);
            ins.content_id = uniform(1, 7);
            if (uniform(0, 1)) ins.at = wall + uniform(0, 120) * 1000;
            sched.inserts.push_back(ins);
            ++inserts;
        } else if (roll < 70) {
            Slot slot;
            slot.minute_of_day = uniform(0, 1439);
            slot.content_ids = {uniform(1, 7), uniform(1, 7)};
            sched.slots.push_back(slot);
        } else if (roll < 73) {
            // Restart: the state goes through JSON; stale entries for deleted items are lost.
            auto text = ToJson(s).dump();
            auto back = ParseChannelState(text);
            ASSERT_TRUE(back.ok());
            s = back.value();
            for (auto it = cat.begin(); it != cat.end();) {
                it = it->second->gone ? cat.erase(it) : std::next(it);
            }
            ++restarts;
        } else if (roll < 76) {
            std::int64_t id = uniform(1, 7);
            const auto alive = std::count_if(cat.begin(), cat.end(),
                                             [](const auto& e) { return !e.second->gone; });
            if (cat.count(id) && !cat[id]->gone && alive > 3) {
                cat[id] = testing::Gone(cat[id]);
                std::erase(sched.items, id);
                ++deletions;
            }
        }
        if (sched.items.empty()) sched.items.push_back(2);
        if (sched.inserts.size() > 20) sched.inserts.erase(sched.inserts.begin());

        // One poll, as the service does it.
        const UnixMillis now = AdvanceClock(s, wall, 2 * kTd * 1000);
        ASSERT_GE(now, last_now);
        last_now = now;
        Reconcile(s, cat, now);
        Extend(s, sched, cat, now, now + kHorizon);
        Prune(s, now - 600000);
        ASSERT_GE(s.horizon, now + kHorizon) << "step " << step;
        for (auto it = std::next(s.occurrences.begin()); it < s.occurrences.end(); ++it) {
            const auto& prev = *std::prev(it);
            ASSERT_GE(it->start, prev.end());
            ASSERT_GT(it->first_msn, prev.first_msn);
            // The DSN stays only where the timeline runs on: back to back, same format.
            const bool continues = it->start == prev.end() && !prev.cut &&
                                   it->first_msn == prev.first_msn + prev.segment_count &&
                                   it->format == prev.format;
            ASSERT_EQ(it->dsn, continues ? prev.dsn : prev.dsn + 1)
                << "step " << step << " event " << event << " " << ToJson(s).dump();
            if (it->source == Source::kInsert && it->start <= now) played_inserts.insert(it->first_msn);
        }
        auto w = ComputeWindow(s, cat, now, kWindow);
        ASSERT_FALSE(w.segments.empty());
        ASSERT_GT(w.next_change, now);


        std::vector<Parsed> parsed;
        for (std::size_t r = 0; r < renditions.size(); ++r) {
            parsed.push_back(Parse(RenderMediaPlaylist(w, renditions[r], kTd, uris)));
        }
        const Parsed& video = parsed[0];
        for (std::size_t r = 0; r < parsed.size(); ++r) {
            const Parsed& p = parsed[r];
            ASSERT_EQ(p.target_duration, kTd);
            // MSN and DSN only move forward, and agree across renditions.
            ASSERT_GE(p.msn, last_msn[r]) << "step " << step << " " << folders[r];
            ASSERT_GE(p.dsn, last_dsn[r]) << "step " << step << " " << folders[r];
            last_msn[r] = p.msn;
            last_dsn[r] = p.dsn;
            ASSERT_EQ(p.dsn, video.dsn);
            ASSERT_EQ(p.msn, video.msn);
            ASSERT_EQ(p.segments.size(), video.segments.size());
            ASSERT_LE(p.segments.size(), static_cast<std::size_t>(kWindow));
            ASSERT_FALSE(p.segments.front().discontinuity) << "leading DISCONTINUITY";
            for (std::size_t i = 0; i < p.segments.size(); ++i) {
                const auto& seg = p.segments[i];
                ASSERT_LE(std::lround(seg.extinf), kTd);
                ASSERT_GT(seg.extinf, 0);
                ASSERT_EQ(seg.pdt, video.segments[i].pdt);
                ASSERT_EQ(seg.discontinuity, video.segments[i].discontinuity);
                ASSERT_LE(seg.pdt, now) << "published before its start";
                CheckUri(seg.uri, folders[r], video.msn + static_cast<std::int64_t>(i),
                         uris.query);
            }
        }
        // PDT continuous along the video grid; published segments never change.
        std::int64_t dsn = video.dsn;
        for (std::size_t i = 0; i < video.segments.size(); ++i) {
            const auto& seg = video.segments[i];
            const WindowSegment& ws = w.segments[i];
            if (seg.discontinuity) {
                ++dsn;
                ++discontinuities_seen;
            }
            if (i > 0) {
                const auto& prev = video.segments[i - 1];
                ASSERT_NEAR(static_cast<double>(seg.pdt - prev.pdt), prev.extinf * 1000, 1.0)
                    << "step " << step;
                const WindowSegment& wp = w.segments[i - 1];
                if (ws.occurrence != wp.occurrence) {
                    ++boundaries_seen;
                    // No DISCONTINUITY between plays of the same format; one where it changes.
                    if (ws.item->format != wp.item->format) {
                        ASSERT_TRUE(seg.discontinuity);
                    }
                    if (!seg.discontinuity) {
                        ASSERT_EQ(ws.item->format, wp.item->format);
                    }
                }
            }
            const std::int64_t msn = video.msn + static_cast<std::int64_t>(i);
            auto [it, inserted] =
                seen.try_emplace(msn, SeenSegment{ws.item->content_id, ws.index, seg.pdt, dsn});
            if (!inserted) {
                ASSERT_EQ(it->second.content_id, ws.item->content_id)
                    << "MSN " << msn << " rewritten at step " << step << " event " << event;
                ASSERT_EQ(it->second.index, ws.index) << "MSN " << msn;
                ASSERT_EQ(it->second.pdt, seg.pdt) << "MSN " << msn;
                ASSERT_EQ(it->second.dsn, dsn) << "MSN " << msn << " changed DSN";
            }
        }
        while (seen.size() > 200) seen.erase(seen.begin());
    }
    EXPECT_GT(boundaries_seen, 1000);
    EXPECT_GT(discontinuities_seen, 10);             // format changes, cuts and gaps
    EXPECT_LT(discontinuities_seen, boundaries_seen);  // most boundaries run on
    EXPECT_GT(inserts, 50);
    EXPECT_GT(restarts, 5);
    EXPECT_GT(deletions, 0);
    EXPECT_GT(played_inserts.size(), 20u) << "manual inserts must go on air";
}

}  // namespace
}  // namespace beacon::liveloop
