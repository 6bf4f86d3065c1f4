// Values the API must refuse up front (issue 10, item 9): an unknown voice or an unsupported
// language (422 naming what is available), slot days out of range and cyclic channel schedules
// (400), against a real server, SQLite database and object store.
#include "server_test_client.hpp"

namespace beacon::server::testing {
namespace {

using core::Json;

class ValidationTest : public ServerFixture {
protected:
    void Configure(ServerOptions&, ServerDeps& deps) override {
        // What GET /api/v1/voices lists (the built-in Flite engine's shape: English voices).
        deps.list_voices = []() -> core::Result<Json> {
            return Json::array({{{"id", "slt"}, {"name", "Slt"}, {"language", "en"}},
                                {{"id", "kal16"}, {"name", "Kal"}, {"language", "en-US"}}});
        };
    }
    HttpResult Generate(const Json& body) {
        return Call("POST", "/api/v1/generate", body.dump(), Bearer());
    }
    std::string Message(const HttpResult& r) {
        auto j = r.Json();
        return j.is_object() && j.contains("error") ? j["error"].value("message", "") : r.body;
    }
};

TEST_F(ValidationTest, UnknownVoiceIsRefusedNamingTheAvailableOnes) {
    auto r = Generate({{"prompt", "A lighthouse"}, {"voice", "nobody"}});
    EXPECT_EQ(r.status, 422u) << r.body;
    EXPECT_NE(Message(r).find("nobody"), std::string::npos) << r.body;
    EXPECT_NE(Message(r).find("slt"), std::string::npos) << r.body;
    EXPECT_NE(Message(r).find("kal16"), std::string::npos) << r.body;
    auto jobs = db_->ListJobs({});
    ASSERT_TRUE(jobs.ok());
    EXPECT_EQ(jobs->total, 0) << "a refused request must not leave a job behind";
}

TEST_F(ValidationTest, UnsupportedLanguageIsRefusedNamingTheSupportedOnes) {
    auto r = Generate({{"prompt", "A lighthouse"}, {"language", "fr"}});
    EXPECT_EQ(r.status, 422u) << r.body;
    EXPECT_NE(Message(r).find("'fr'"), std::string::npos) << r.body;
    EXPECT_NE(Message(r).find("supported languages: en"), std::string::npos) << r.body;
}

TEST_F(ValidationTest, KnownVoiceAndLanguageAreAccepted) {
    EXPECT_EQ(Generate({{"prompt", "A lighthouse"}, {"voice", "kal16"}, {"language", "en-GB"}})
                  .status,
              202u);
    EXPECT_EQ(Generate({{"prompt", "A lighthouse"}}).status, 202u);
}

class PlaylistValidationTest : public ServerFixture {
protected:
    std::int64_t NewPlaylist(const std::string& title) {
        auto r = Call("POST", "/api/v1/playlists", Json{{"title", title}}.dump(), Bearer());
        EXPECT_EQ(r.status, 201u) << r.body;
        return r.Json().value("id", std::int64_t{0});
    }
    HttpResult SetSlots(std::int64_t id, const Json& slots) {
        return Call("PATCH", "/api/v1/playlists/" + std::to_string(id),
                    Json{{"scheduled_slots", slots}}.dump(), Bearer());
    }
};

TEST_F(PlaylistValidationTest, SlotDaysOutOfRangeAreRefusedNotTruncated) {
    const auto a = NewPlaylist("Main");
    const auto b = NewPlaylist("Evening");
    for (const char* days : {"[4294967296]", "[7]", "[-1]", "[18446744073709551615]", "[2.5]"}) {
        auto r = SetSlots(a, Json::array({{{"time", "21:00"},
                                            {"days", Json::parse(days)},
                                            {"playlist_id", b}}}));
        EXPECT_EQ(r.status, 400u) << days << ": " << r.body;
    }
    auto stored = db_->GetPlaylist(a);
    ASSERT_TRUE(stored.ok());
    EXPECT_TRUE(stored->scheduled_slots.empty()) << stored->scheduled_slots.dump();
    auto ok = SetSlots(a, Json::array({{{"time", "21:00"}, {"days", {0, 6}}, {"playlist_id", b}}}));
    EXPECT_EQ(ok.status, 200u) << ok.body;
}

TEST_F(PlaylistValidationTest, CyclicSlotsAreRefused) {
    const auto a = NewPlaylist("A");
    const auto b = NewPlaylist("B");
    const auto c = NewPlaylist("C");
    auto slot = [](std::int64_t target) {
        return Json::array({{{"time", "20:00"}, {"days", "daily"}, {"playlist_id", target}}});
    };
    EXPECT_EQ(SetSlots(a, slot(a)).status, 400u) << "a channel scheduling itself";
    EXPECT_EQ(SetSlots(a, slot(b)).status, 200u);
    EXPECT_EQ(SetSlots(b, slot(c)).status, 200u);
    auto back = SetSlots(c, slot(a));  // A → B → C → A
    EXPECT_EQ(back.status, 400u) << back.body;
    EXPECT_NE(back.body.find("cycle"), std::string::npos) << back.body;
    auto stored = db_->GetPlaylist(c);
    ASSERT_TRUE(stored.ok());
    EXPECT_TRUE(stored->scheduled_slots.empty());
}

}  // namespace
}  // namespace beacon::server::testing
