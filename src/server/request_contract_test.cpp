// The contract embedded in the server (api/openapi.yaml at build time): every operation has
// response schemas, every JSON request body has a schema the validator fully enforces, and for
// every operation that takes one, broken bodies are refused naming the field.
#include "server/request_contract.hpp"

#include <gtest/gtest.h>

#include "tests/support/contract_samples.hpp"

namespace beacon::server {
namespace {

using core::Json;

const Json& Operation(const RequestContract& c, const std::string& op) {
    const auto space = op.find(' ');
    std::string method = op.substr(0, space);
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return c.spec()["paths"][op.substr(space + 1)][method];
}

TEST(RequestContract, TheEmbeddedSpecIsTheFileInTheTree) {
    const auto& c = RequestContract::Embedded();
    EXPECT_GT(c.Operations().size(), 100u);
    EXPECT_TRUE(c.Find("POST", "/api/v1/generate"));
    EXPECT_TRUE(c.Find("post", "/api/v1/generate")->required);
    EXPECT_FALSE(c.Find("POST", "/api/v1/jobs/{id}/cancel"));  // takes no body
    // {key+} in the route table is {key} in the spec.
    EXPECT_EQ(c.Find("PATCH", "/api/v1/content/{id+}")->schema,
              c.Find("PATCH", "/api/v1/content/{id}")->schema);
}

TEST(RequestContract, EveryOperationHasResponseAndRequestSchemas) {
    const auto& c = RequestContract::Embedded();
    for (const auto& op : c.Operations()) {
        const Json& o = Operation(c, op);
        ASSERT_TRUE(o.contains("responses")) << op;
        bool success = false;
        for (const auto& [status, r] : o["responses"].items()) {
            if (status == "101" || status.starts_with("2") || status.starts_with("3"))
                success = true;
            const Json content =
                testing::ResolvedSchema(r, c.spec()).value("content", Json::object());
            for (const auto& [type, media] : content.items()) {
                EXPECT_TRUE(media.contains("schema")) << op << " " << status << " " << type;
            }
        }
        EXPECT_TRUE(success) << op << " documents no successful answer";
        if (auto rb = o.find("requestBody"); rb != o.end()) {
            ASSERT_TRUE(rb->contains("content")) << op;
            for (const auto& [type, media] : (*rb)["content"].items()) {
                EXPECT_TRUE(media.contains("schema")) << op << " " << type;
            }
            auto body = c.Find(op.substr(0, op.find(' ')), op.substr(op.find(' ') + 1));
            ASSERT_TRUE(body) << op;
            if (body->schema) {
                for (const auto& k : UnsupportedSchemaKeywords(*body->schema, c.spec())) {
                    ADD_FAILURE() << op << ": the validator would not enforce " << k;
                }
            }
        }
    }
}

TEST(RequestContract, BrokenBodiesAreRefusedNamingTheField) {
    const auto& c = RequestContract::Embedded();
    int checked = 0;
    for (const auto& op : c.Operations()) {
        const std::string method = op.substr(0, op.find(' '));
        const std::string path = op.substr(op.find(' ') + 1);
        auto body = c.Find(method, path);
        if (!body || !body->schema) continue;
        const Json valid = testing::SampleValue(*body->schema, c.spec());
        EXPECT_FALSE(c.Check(method, path, valid.dump())) << op << " refuses " << valid.dump();
        auto bad = c.Check(method, path, "{\"unterminated\": ");
        ASSERT_TRUE(bad) << op;
        EXPECT_NE(bad->message.find("malformed JSON body"), std::string::npos) << op;
        if (body->required) {
            auto empty = c.Check(method, path, "");
            ASSERT_TRUE(empty) << op;
            EXPECT_EQ(empty->message, "the request body must be a JSON object");
        }
        for (const auto& broken : testing::BrokenBodies(*body->schema, c.spec())) {
            auto v = c.Check(method, path, broken.body.dump());
            ASSERT_TRUE(v) << op << " accepts a body with " << broken.what << " '" << broken.field
                           << "': " << broken.body.dump();
            EXPECT_EQ(v->field, broken.field) << op << " " << broken.what << ": " << v->message;
            EXPECT_NE(v->message.find("'" + broken.field + "'"), std::string::npos) << v->message;
            ++checked;
        }
    }
    EXPECT_GT(checked, 60);
}

TEST(RequestContract, FromSpecReadsRefsAndNonJsonBodies) {
    auto c = RequestContract::FromSpec(Json::parse(R"({
      "paths": {"/up": {"post": {"requestBody": {"$ref": "#/components/requestBodies/Up"}}},
                "/file": {"put": {"requestBody": {"required": true,
                          "content": {"application/octet-stream": {"schema": {"type": "string"}}}}}}},
      "components": {"requestBodies": {"Up": {"required": true, "content": {"application/json":
                     {"schema": {"type": "object", "required": ["a"]}}}}}}})"));
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->Find("POST", "/up"));
    EXPECT_TRUE(c->Check("POST", "/up", "{}"));
    EXPECT_FALSE(c->Check("POST", "/up", R"({"a":1})"));
    ASSERT_TRUE(c->Find("PUT", "/file"));
    EXPECT_EQ(c->Find("PUT", "/file")->schema, nullptr);
    EXPECT_FALSE(c->Check("PUT", "/file", "\x01\x02 not json"));  // left to its handler
    EXPECT_FALSE(RequestContract::FromSpec(Json::object()).ok());
}

}  // namespace
}  // namespace beacon::server
