#include "ops/moderation.hpp"

#include <gtest/gtest.h>

#include "jobs/event_bus.hpp"
#include "ops/moderation_http.hpp"
#include "ops/test_support.hpp"
#include "storage/database.hpp"

namespace beacon::ops {
namespace {

namespace fs = std::filesystem;
using core::Json;

/// A studio database with one user and one library item, and moderation on it.
struct Library {
    fs::path dir;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<Moderation> mod;
    std::int64_t user = 0;
    std::int64_t item = 0;
    explicit Library(const std::string& name) : dir(testing::TempDir(name)) {
        db = std::move(storage::OpenSqlite((dir / "beacon.db").string()).value());
        user = db->GetOrCreateUser("admin")->id;
        core::Content c;
        c.owner_id = user;
        c.title = "kites";
        c.mp4_key = "library/1/video.mp4";
        item = db->CreateContent(c)->id;
        mod = std::move(Moderation::Open(dir / "beacon.db").value());
    }
};

server::Request Req(const std::string& method, const std::string& path, std::int64_t id,
                    const std::string& body = "") {
    server::Request r;
    r.method = method;
    r.raw_path = path;
    r.params["id"] = std::to_string(id);
    r.msg.body() = body;
    r.who.via = server::Identity::Via::kBearer;
    r.who.user_id = 1;
    return r;
}

TEST(Moderation, NeverReviewedItemsNeedConfirmationFlaggedOnesAreRefused) {
    Library lib("mod-gate");
    auto& m = *lib.mod;
    auto st = m.Check(GatedAction::kPublish, lib.item, false);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("confirm"), std::string::npos) << st.error().message;
    EXPECT_TRUE(m.Check(GatedAction::kPublish, lib.item, true).ok());
    EXPECT_TRUE(m.Check(GatedAction::kShare, lib.item, true).ok());

    ASSERT_TRUE(m.Flag(lib.item, lib.user, "shows a phone number").ok());
    EXPECT_TRUE(m.IsFlagged(lib.item));
    st = m.Check(GatedAction::kShare, lib.item, true);  // confirming does not pass a flag
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("shows a phone number"), std::string::npos);

    auto approved = m.Approve(lib.item, lib.user);
    ASSERT_TRUE(approved.ok()) << approved.error().message;
    EXPECT_EQ(approved->state, ReviewState::kApproved);
    EXPECT_EQ(approved->reason, "shows a phone number");  // the history stays
    EXPECT_FALSE(m.IsFlagged(lib.item));
    EXPECT_TRUE(m.Check(GatedAction::kPublish, lib.item, false).ok());  // reviewed: no question
}

TEST(Moderation, FlagsSurviveARestartAndReasonsAreBounded) {
    Library lib("mod-restart");
    EXPECT_FALSE(lib.mod->Flag(lib.item, lib.user, "").ok());
    EXPECT_FALSE(lib.mod->Flag(lib.item, lib.user, std::string(501, 'x')).ok());
    ASSERT_TRUE(lib.mod->Flag(lib.item, lib.user, "spam").ok());
    lib.mod.reset();
    auto again = Moderation::Open(lib.dir / "beacon.db");
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE((*again)->IsFlagged(lib.item));
    auto flagged = (*again)->Flagged();
    ASSERT_TRUE(flagged.ok());
    ASSERT_EQ(flagged->size(), 1u);
    EXPECT_EQ((*flagged)[0].reason, "spam");
}

TEST(Moderation, HookAsksForConfirmationAndWritesTheAuditLog) {
    Library lib("mod-hook");
    auto hook = MakeModerationHook(*lib.mod, *lib.db);
    const std::string path = "/api/v1/content/" + std::to_string(lib.item) + "/publish";
    auto no = hook(Req("POST", path, lib.item), "publish", lib.item, false);
    ASSERT_TRUE(no.has_value());
    EXPECT_EQ(no->status, 409u);
    EXPECT_NE(no->body.find("confirmation_required"), std::string::npos) << no->body;
    EXPECT_FALSE(hook(Req("POST", path, lib.item, R"({"confirm": true})"), "publish", lib.item, false));
    auto by_query = Req("POST", path, lib.item);
    by_query.query["confirm"] = "true";
    EXPECT_FALSE(hook(by_query, "publish", lib.item, false));
    // An item that does not exist is the handler's 404, not a moderation answer.
    EXPECT_FALSE(hook(Req("POST", path, 999), "publish", 999, false).has_value());

    EXPECT_FALSE(hook(Req("POST", path, lib.item), "publish", lib.item, true).has_value());
    ASSERT_TRUE(lib.mod->Flag(lib.item, lib.user, "wrong facts").ok());
    auto flagged = hook(Req("PATCH", path, lib.item, R"({"confirm": true})"), "share", lib.item, false);
    ASSERT_TRUE(flagged.has_value());
    EXPECT_NE(flagged->body.find("\"flagged\""), std::string::npos) << flagged->body;
    EXPECT_FALSE(hook(Req("DELETE", "/api/v1/content/1", lib.item), "delete", lib.item, true));
    EXPECT_FALSE(lib.mod->IsFlagged(lib.item));  // a deleted item leaves the review list

    auto log = lib.mod->AuditLog(10, 0);
    ASSERT_TRUE(log.ok());
    std::vector<std::string> actions;
    for (const auto& e : *log) actions.push_back(e.action);
    EXPECT_EQ(actions, (std::vector<std::string>{"delete", "flag", "publish"}));
    EXPECT_EQ((*log)[2].user, "admin");
    EXPECT_EQ((*log)[2].detail, "POST " + path);
    EXPECT_EQ((*log)[1].detail, "wrong facts");
    auto older = lib.mod->AuditLog(10, (*log)[1].id);
    ASSERT_TRUE(older.ok());
    ASSERT_EQ(older->size(), 1u);
    EXPECT_EQ((*older)[0].action, "publish");
}

TEST(Moderation, FlagRouteMakesAPublicItemPrivateAndListsIt) {
    Library lib("mod-routes");
    storage::ContentPatch pub;
    pub.visibility = core::Visibility::kPublic;
    ASSERT_TRUE(lib.db->PatchContent(lib.item, pub).ok());
    jobs::EventBus events;
    std::vector<std::string> seen;
    auto sub = events.Subscribe([&](const jobs::Event& e) { seen.push_back(e.type); });
    auto routes = ModerationRoutes(*lib.mod, *lib.db, events);
    auto route = [&](const std::string& method, const std::string& pattern) {
        for (auto& r : routes) {
            if (r.method == method && r.pattern == pattern) return r.handle;
        }
        ADD_FAILURE() << "no route " << method << " " << pattern;
        return std::function<server::Reply(server::Request&)>();
    };
    auto req = Req("POST", "", lib.item, R"({"reason": "a real person's face"})");
    auto flagged = route("POST", "/api/v1/content/{id}/flag")(req);
    ASSERT_EQ(flagged.status, 200u) << flagged.body;
    EXPECT_EQ(lib.db->GetContent(lib.item)->visibility, core::Visibility::kPrivate);
    EXPECT_EQ(seen, std::vector<std::string>{"content.updated"});
    auto bad = Req("POST", "", lib.item, R"({"reason": 5})");
    EXPECT_EQ(route("POST", "/api/v1/content/{id}/flag")(bad).status, 400u);

    auto list_req = Req("GET", "", 0);
    auto list = route("GET", "/api/v1/moderation")(list_req);
    ASSERT_EQ(list.status, 200u);
    Json j = Json::parse(list.body);
    ASSERT_EQ(j["items"].size(), 1u);
    EXPECT_EQ(j["items"][0]["title"], "kites");
    EXPECT_EQ(j["items"][0]["reason"], "a real person's face");

    auto approve_req = Req("POST", "", lib.item);
    ASSERT_EQ(route("POST", "/api/v1/content/{id}/approve")(approve_req).status, 200u);
    list = route("GET", "/api/v1/moderation")(list_req);
    EXPECT_EQ(Json::parse(list.body)["items"].size(), 0u);
    auto review_req = Req("GET", "", lib.item);
    auto review = route("GET", "/api/v1/content/{id}/review")(review_req);
    EXPECT_EQ(Json::parse(review.body)["state"], "approved");
    auto audit_req = Req("GET", "", 0);
    audit_req.query["limit"] = "1";
    auto audit = route("GET", "/api/v1/audit")(audit_req);
    Json a = Json::parse(audit.body);
    ASSERT_EQ(a["items"].size(), 1u);
    EXPECT_EQ(a["items"][0]["action"], "approve");
    events.Unsubscribe(sub);
}

}  // namespace
}  // namespace beacon::ops
