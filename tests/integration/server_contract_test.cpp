// The contract at the door: every route the server answers is an operation of api/openapi.yaml
// with response schemas, and every JSON body it takes is checked against the spec's request
// schema before a handler runs: a broken body gets 400 with error.field naming the field.
#include <regex>

#include "server/request_contract.hpp"
#include "server_test_client.hpp"
#include "tests/support/contract_samples.hpp"

namespace beacon::server::testing {
namespace {

using core::Json;

class ContractTest : public ServerFixture {};

std::string SpecPath(const std::string& pattern) {
    return std::regex_replace(pattern, std::regex(R"(\{(\w+)\+\})"), "{$1}");
}

std::string Concrete(const std::string& pattern) {
    return std::regex_replace(SpecPath(pattern), std::regex(R"(\{\w+\})"), "1");
}

bool TakesBody(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "PATCH";
}

TEST_F(ContractTest, EveryRouteInTheTableHasItsRequestAndResponseSchemas) {
    const auto& contract = RequestContract::Embedded();
    const Json& paths = contract.spec()["paths"];
    int bodies = 0;
    for (const auto& r : server_->Routes()) {
        const std::string path = SpecPath(r.pattern);
        std::string method = r.method;
        std::transform(method.begin(), method.end(), method.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        ASSERT_TRUE(paths.contains(path) && paths[path].contains(method))
            << r.method << " " << r.pattern << " is not in api/openapi.yaml";
        const Json& op = paths[path][method];
        ASSERT_TRUE(op.contains("responses") && !op["responses"].empty()) << r.pattern;
        for (const auto& [status, answer] : op["responses"].items()) {
            const Json content = ::beacon::testing::ResolvedSchema(answer, contract.spec())
                                     .value("content", Json::object());
            for (const auto& [type, media] : content.items()) {
                EXPECT_TRUE(media.contains("schema")) << r.pattern << " " << status << " " << type;
            }
        }
        if (auto body = contract.Find(r.method, r.pattern); body && body->schema) {
            EXPECT_TRUE(UnsupportedSchemaKeywords(*body->schema, contract.spec()).empty())
                << r.pattern;
            ++bodies;
        } else if (op.contains("requestBody")) {
            ADD_FAILURE() << r.method << " " << r.pattern << ": a request body with no JSON schema";
        }
    }
    EXPECT_GE(bodies, 12);  // auth ×3, tokens, generate, regenerate, content, playlists ×3 ...
}

TEST_F(ContractTest, BrokenBodiesGet400NamingTheFieldOnEveryRouteThatTakesOne) {
    const auto& contract = RequestContract::Embedded();
    auto bearer = Bearer();
    int sent = 0;
    for (const auto& r : server_->Routes()) {
        if (!TakesBody(r.method)) continue;
        auto body = contract.Find(r.method, r.pattern);
        if (!body || !body->schema) continue;
        const std::string target = Concrete(r.pattern);
        // Not JSON at all: 400, the body as a whole.
        auto bad = Call(r.method, target, R"({"title": )", bearer);
        EXPECT_EQ(bad.status, 400u) << r.pattern << " " << bad.body;
        EXPECT_NE(bad.Json()["error"].value("message", "").find("malformed JSON body"),
                  std::string::npos)
            << r.pattern << " " << bad.body;
        for (const auto& broken : ::beacon::testing::BrokenBodies(*body->schema, contract.spec())) {
            auto res = Call(r.method, target, broken.body.dump(), bearer);
            const Json j = res.Json();
            EXPECT_EQ(res.status, 400u) << r.method << " " << target << " with " << broken.what
                                        << " '" << broken.field << "': " << res.body;
            EXPECT_EQ(j["error"].value("code", ""), "invalid_argument") << res.body;
            EXPECT_EQ(j["error"].value("field", ""), broken.field)
                << r.method << " " << target << " with " << broken.what << ": " << res.body;
            ++sent;
        }
    }
    EXPECT_GT(sent, 40);
}

TEST_F(ContractTest, TheContractIsAsStrictAsTheHandlers) {
    auto bearer = Bearer();
    // A scene edit beyond what the pipeline takes (20 lines, 1000 characters) is refused at
    // the door, naming the line.
    Json lines = Json::array();
    for (int i = 0; i < 21; ++i) lines.push_back("A line.");
    auto r =
        Call("POST", "/api/v1/jobs/1/scenes/1/regenerate", Json{{"lines", lines}}.dump(), bearer);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.Json()["error"].value("field", ""), "lines");
    r = Call("POST", "/api/v1/jobs/1/scenes/1/regenerate",
             Json{{"lines", {"ok", std::string(1001, 'a')}}}.dump(), bearer);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.Json()["error"].value("field", ""), "lines[1]");
    // Inside arrays of objects: the slot and its field.
    r = Call("PATCH", "/api/v1/playlists/1",
             R"({"scheduled_slots":[{"time":"08:00","days":"daily","content_id":1},
                                    {"time":"25:00","days":"daily","content_id":1}]})",
             bearer);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.Json()["error"].value("field", ""), "scheduled_slots[1].time") << r.body;
    // A body that conforms reaches its handler (here: no such job, 404, no field).
    r = Call("POST", "/api/v1/jobs/999/scenes/1/regenerate", R"({"lines":["One line."]})", bearer);
    EXPECT_EQ(r.status, 404u) << r.body;
    EXPECT_FALSE(r.Json()["error"].contains("field"));
    // A bad language code on generate, named before any job is made.
    r = Call("POST", "/api/v1/generate", R"({"prompt":"A lighthouse","language":"English"})",
             bearer);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.Json()["error"].value("field", ""), "language");
    EXPECT_EQ(Get("/api/v1/jobs", bearer).Json()["total"], 0);
}

}  // namespace
}  // namespace beacon::server::testing
