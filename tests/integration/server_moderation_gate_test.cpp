// Every path that puts a library item on LiveLoop or makes it public asks the moderation hook
// first, against a real server and SQLite database. The hook here stands in for src/ops's
// (tested there): it refuses an item it was never told was reviewed unless the request confirms.
#include <mutex>
#include <set>

#include "server/api.hpp"
#include "server_test_client.hpp"

namespace beacon::server::testing {
namespace {

using core::Json;

class ModerationGateTest : public ServerFixture {
protected:
    void Configure(ServerOptions&, ServerDeps& deps) override {
        deps.moderation = [this](const Request& req, std::string_view action, std::int64_t id,
                                 bool done) -> std::optional<Reply> {
            std::lock_guard lock(mu_);
            if (done) {
                done_.push_back(std::string(action) + " " + std::to_string(id));
                return std::nullopt;
            }
            asked_.push_back(std::string(action) + " " + std::to_string(id));
            auto body = Json::parse(req.msg.body(), nullptr, false);
            bool confirmed = (body.is_object() && body.value("confirm", false)) ||
                             req.Query("confirm") == "true";
            if (confirmed || reviewed_.count(id) > 0) return std::nullopt;
            return Api::Error(409, "confirmation_required", "never reviewed: confirm");
        };
    }

    std::int64_t NewItem(const std::string& title) {
        core::Content c;
        c.owner_id = user_id_;
        c.title = title;
        c.mp4_key = "library/x/video.mp4";
        return db_->CreateContent(c)->id;
    }
    std::vector<std::string> Asked() {
        std::lock_guard lock(mu_);
        return asked_;
    }
    std::vector<std::string> Done() {
        std::lock_guard lock(mu_);
        return done_;
    }

    std::mutex mu_;
    std::vector<std::string> asked_;
    std::vector<std::string> done_;
    std::set<std::int64_t> reviewed_;
};

TEST_F(ModerationGateTest, AContentSlotInAChannelScheduleNeedsTheSameConfirmation) {
    auto h = Bearer();
    auto item = NewItem("never reviewed");
    auto ch = Call("POST", "/api/v1/playlists", R"({"title":"Evenings"})", h);
    ASSERT_EQ(ch.status, 201u) << ch.body;
    const std::string path = "/api/v1/playlists/" + std::to_string(ch.Json()["id"].get<int>());
    const std::string slot =
        R"({"time":"20:00","days":"daily","content_id":)" + std::to_string(item) + "}";

    auto refused = Call("PATCH", path, R"({"scheduled_slots":[)" + slot + "]}", h);
    EXPECT_EQ(refused.status, 409u) << refused.body;
    EXPECT_EQ(refused.ErrorCode(), "confirmation_required");
    EXPECT_EQ(Asked(), std::vector<std::string>{"publish " + std::to_string(item)});
    EXPECT_TRUE(Get(path, h).Json()["scheduled_slots"].empty()) << "nothing was scheduled";

    auto ok = Call("PATCH", path, R"({"confirm":true,"scheduled_slots":[)" + slot + "]}", h);
    ASSERT_EQ(ok.status, 200u) << ok.body;
    EXPECT_EQ(ok.Json()["scheduled_slots"].size(), 1u);
    EXPECT_EQ(Done(), std::vector<std::string>{"publish " + std::to_string(item)});  // audit

    // The same slot again (e.g. renaming the channel with the schedule resent) asks nothing new.
    auto again =
        Call("PATCH", path, R"({"title":"Late evenings","scheduled_slots":[)" + slot + "]}", h);
    EXPECT_EQ(again.status, 200u) << again.body;
    EXPECT_EQ(Asked().size(), 2u);
}

TEST_F(ModerationGateTest, EveryPathToLiveLoopOrPublicAsksFirst) {
    auto h = Bearer();
    auto ch = Call("POST", "/api/v1/playlists", R"({"title":"All day"})", h);
    ASSERT_EQ(ch.status, 201u) << ch.body;
    const std::string channel = "/api/v1/playlists/" + std::to_string(ch.Json()["id"].get<int>());
    struct Path {
        std::string method, target, body;
    };
    auto paths = [&](std::int64_t id) {
        const std::string sid = std::to_string(id);
        return std::vector<Path>{
            {"POST", "/api/v1/content/" + sid + "/publish", ""},
            {"PATCH", "/api/v1/content/" + sid, R"({"published":true})"},
            {"PATCH", "/api/v1/content/" + sid, R"({"visibility":"public"})"},
            {"POST", channel + "/insert", R"({"content_id":)" + sid + "}"},
            {"PATCH", channel, R"({"items":[)" + sid + "]}"},
            {"PATCH", channel,
             R"({"scheduled_slots":[{"time":"06:30","days":[1,2],"content_id":)" + sid + "}]}"},
        };
    };
    for (const auto& p : paths(NewItem("unreviewed"))) {
        auto r = Call(p.method, p.target, p.body, h);
        EXPECT_EQ(r.status, 409u) << p.method << " " << p.target << " " << p.body << ": " << r.body;
    }
    EXPECT_EQ(Asked().size(), 6u);
    EXPECT_TRUE(Done().empty());
    auto reviewed = NewItem("reviewed");
    {
        std::lock_guard lock(mu_);
        reviewed_.insert(reviewed);
    }
    for (const auto& p : paths(reviewed)) {
        auto r = Call(p.method, p.target, p.body, h);
        EXPECT_LT(r.status, 300u) << p.method << " " << p.target << " " << p.body << ": " << r.body;
    }
}

}  // namespace
}  // namespace beacon::server::testing
