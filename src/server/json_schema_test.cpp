// The JSON Schema subset the contract uses: what each keyword refuses and the field it names.
#include "server/json_schema.hpp"

#include <gtest/gtest.h>

namespace beacon::server {
namespace {

using core::Json;

const Json kRoot = Json::parse(R"({
  "components": {"schemas": {
    "Slug": {"type": "string", "pattern": "^[a-z0-9-]{1,40}$"},
    "Item": {"type": "object", "additionalProperties": false, "required": ["prompt"],
             "properties": {"prompt": {"type": "string", "minLength": 1, "maxLength": 5},
                            "seconds": {"type": "number", "minimum": 1, "maximum": 600}}}
  }},
  "body": {
    "type": "object", "additionalProperties": false, "required": ["items"],
    "properties": {
      "items": {"type": "array", "minItems": 1, "maxItems": 3,
                "items": {"$ref": "#/components/schemas/Item"}},
      "slug": {"$ref": "#/components/schemas/Slug"},
      "mode": {"type": "string", "enum": ["sequential", "shuffle"]},
      "v": {"const": 1},
      "count": {"type": ["integer", "null"], "exclusiveMinimum": 0},
      "camera": {"oneOf": [{"type": "string", "enum": ["orbit", "static"]},
                           {"type": "object", "additionalProperties": false, "required": ["path"],
                            "properties": {"path": {"type": "array", "items": {"type": "number"}}}}]},
      "tags": {"type": "object", "additionalProperties": {"type": "string"}}
    }
  }
})");

std::optional<SchemaViolation> Check(const std::string& body) {
    return ValidateJson(kRoot["body"], Json::parse(body), kRoot);
}

TEST(JsonSchema, AConformingBodyPasses) {
    EXPECT_FALSE(Check(R"({"items":[{"prompt":"hi","seconds":7}],"slug":"main","mode":"shuffle",
                          "v":1,"count":null,"camera":"orbit","tags":{"a":"b"}})"));
    EXPECT_FALSE(Check(R"({"items":[{"prompt":"x"}],"count":3,"camera":{"path":[1,2.5]}})"));
}

TEST(JsonSchema, NamesTheFieldAtFaultInsideArraysAndRefs) {
    auto v = Check(R"({"items":[{"prompt":"ok"},{"prompt":"far too long"}]})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "items[1].prompt");
    EXPECT_EQ(v->message, "field 'items[1].prompt' is longer than 5 characters");

    v = Check(R"({"items":[{"prompt":""}]})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->message, "field 'items[0].prompt' must not be empty");

    v = Check(R"({"items":[{"prompt":"ok","seconds":601}]})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "items[0].seconds");
    EXPECT_EQ(v->message, "field 'items[0].seconds' must be at most 600");

    v = Check(R"({"items":[{"prompt":"ok","colour":"red"}]})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "items[0].colour");
    EXPECT_EQ(v->message, "unknown field 'items[0].colour'");
}

TEST(JsonSchema, RequiredTypesAndCounts) {
    auto v = Check(R"({})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "items");
    EXPECT_EQ(v->message, "field 'items' is required");

    v = Check(R"({"items":[]})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->message, "field 'items' must have at least 1 item");
    v = Check(R"({"items":[{"prompt":"a"},{"prompt":"a"},{"prompt":"a"},{"prompt":"a"}]})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->message, "field 'items' must have at most 3 items");

    v = Check(R"({"items":"one"})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->message, "field 'items' must be an array");
    v = Check(R"({"items":[{"prompt":"a"}],"count":1.5})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->message, "field 'count' must be an integer");  // null is allowed too
    v = Check(R"({"items":[{"prompt":"a"}],"count":0})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->message, "field 'count' must be more than 0");

    v = ValidateJson(kRoot["body"], Json::array(), kRoot);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "");
    EXPECT_EQ(v->message, "the request body must be a JSON object");
}

TEST(JsonSchema, EnumConstPatternAndAdditionalPropertySchemas) {
    auto v = Check(R"({"items":[{"prompt":"a"}],"mode":"random"})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->message, "field 'mode' must be one of sequential, shuffle");
    v = Check(R"({"items":[{"prompt":"a"}],"v":2})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->message, "field 'v' must be 1");
    v = Check(R"({"items":[{"prompt":"a"}],"slug":"Not A Slug"})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "slug");
    EXPECT_NE(v->message.find("must match"), std::string::npos);
    v = Check(R"({"items":[{"prompt":"a"}],"tags":{"a":1}})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "tags.a");
    // A long string is never handed to std::regex (it recurses per character).
    v = Check(R"({"items":[{"prompt":"a"}],"slug":")" + std::string(100000, 'a') + R"("})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "slug");
}

TEST(JsonSchema, OneOfReportsTheBranchWhoseShapeFits) {
    // An object: the object branch's own error, naming the field inside it.
    auto v = Check(R"({"items":[{"prompt":"a"}],"camera":{"path":["x"]}})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "camera.path[0]");
    v = Check(R"({"items":[{"prompt":"a"}],"camera":42})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->field, "camera");
    EXPECT_NE(v->message.find("matches none of the allowed forms"), std::string::npos);
    const Json both = Json::parse(R"({"oneOf":[{"type":"integer"},{"type":"number"}]})");
    v = ValidateJson(both, 3, both);
    ASSERT_TRUE(v);
    EXPECT_NE(v->message.find("more than one"), std::string::npos);
    const Json any = Json::parse(R"({"anyOf":[{"type":"integer"},{"type":"number"}]})");
    EXPECT_FALSE(ValidateJson(any, 3, any));
}

TEST(JsonSchema, UnsupportedKeywordsAndBrokenRefsAreReported) {
    EXPECT_TRUE(UnsupportedSchemaKeywords(kRoot["body"], kRoot).empty());
    const Json odd = Json::parse(R"({"type":"object","properties":{
        "a":{"type":"string","multipleOf":2},"b":{"$ref":"#/nowhere"},"c":{"pattern":"("}}})");
    auto found = UnsupportedSchemaKeywords(odd, odd);
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(found[0], "#/properties/a: multipleOf");
    EXPECT_NE(found[1].find("#/nowhere does not resolve"), std::string::npos);
    EXPECT_NE(found[2].find("not an ECMAScript regex"), std::string::npos);
    // A schema whose $ref does not resolve refuses rather than lets anything through.
    EXPECT_TRUE(ValidateJson(odd["properties"]["b"], 1, odd));
}

}  // namespace
}  // namespace beacon::server
