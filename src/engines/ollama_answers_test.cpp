// The Ollama adapters against legal-but-odd answers (api-notes/model-services.md 2a): JSON in a
// markdown fence or in prose, a `thinking` field, unknown and missing optional fields, NDJSON
// lines split across reads, done_reason "length"; and what our requests carry.
#include <gtest/gtest.h>

#include "engines/ollama.hpp"
#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

OllamaOptions Opts(const DoubleProcess& d) {
    OllamaOptions o;
    o.host = d.url();
    o.model = "llama3.2";
    o.timeout = std::chrono::seconds(30);
    o.retry.base_delay = std::chrono::milliseconds(10);
    return o;
}

bool Has(const std::vector<std::string>& log, const std::string& needle) {
    for (const auto& l : log) {
        if (l.find(needle) != std::string::npos) return true;
    }
    return false;
}

TEST(OllamaAnswersTest, UnwrapFindsTheJsonAModelMeant) {
    EXPECT_EQ(UnwrapJsonAnswer(" {\"a\":1}\n").json, "{\"a\":1}");
    EXPECT_EQ(UnwrapJsonAnswer("{\"a\":1}").how, "");
    auto fenced = UnwrapJsonAnswer("```json\n{\"a\": \"}``\"}\n```");
    EXPECT_EQ(fenced.json, "{\"a\": \"}``\"}");
    EXPECT_EQ(fenced.how, "a ```json fence");
    auto untagged = UnwrapJsonAnswer("Here you go:\n```\n[1, 2]\n```\nEnjoy.");
    EXPECT_EQ(untagged.json, "[1, 2]");
    EXPECT_NE(untagged.how.find("prose around it"), std::string::npos);
    auto prose = UnwrapJsonAnswer("Sure! {\"t\": \"a {brace} inside\"} Hope this helps.");
    EXPECT_EQ(prose.json, "{\"t\": \"a {brace} inside\"}");
    EXPECT_EQ(prose.how, "prose");
    // Nothing parseable: unchanged, so validation reports the answer as it was.
    auto none = UnwrapJsonAnswer("Sure! Here is your script: a lighthouse {at dusk.");
    EXPECT_EQ(none.json, "Sure! Here is your script: a lighthouse {at dusk.");
    EXPECT_EQ(none.how, "");
}

TEST(OllamaAnswersTest, FencedOrProseAnswersAreAcceptedAndLogged) {
    HttpClient http;
    for (std::string wrap : {"fence", "fence-prose", "prose"}) {
        DoubleProcess d("ollama_double.py", {"--wrap", wrap});
        std::vector<std::string> log;
        auto sink = [&](const std::string& l) { log.push_back(l); };
        OllamaScriptWriter w(Opts(d), http);
        auto r = w.Write({"A lighthouse at dusk in 2 scenes", "", "noir", "en", 8}, sink, {});
        ASSERT_TRUE(r.ok()) << wrap << ": " << r.error().message;
        EXPECT_FALSE(r->script.scenes.empty());
        EXPECT_TRUE(Has(log, "script answer came wrapped in")) << wrap;
        EXPECT_FALSE(Has(log, "repair attempt")) << wrap;  // accepted the first time

        OllamaTranslator t(Opts(d), http, sink);
        auto tr = t.Translate("hello", "en", "es", {});
        ASSERT_TRUE(tr.ok()) << wrap << ": " << tr.error().message;
        EXPECT_EQ(*tr, "hola");
        EXPECT_TRUE(Has(log, "translation answer came wrapped in")) << wrap;

        OllamaEntityExtractor e(Opts(d), http, sink);
        auto en = e.Extract("Ada Lovelace met Charles Babbage in London.", {});
        ASSERT_TRUE(en.ok()) << wrap << ": " << en.error().message;
        EXPECT_EQ(*en, (std::vector<std::string>{"Ada Lovelace", "Charles Babbage", "London"}));
        EXPECT_TRUE(Has(log, "entities answer came wrapped in")) << wrap;
    }
}

TEST(OllamaAnswersTest, PlainJsonIsNotReportedAsUnwrapped) {
    DoubleProcess d("ollama_double.py");
    HttpClient http;
    std::vector<std::string> log;
    OllamaTranslator t(Opts(d), http, [&](const std::string& l) { log.push_back(l); });
    ASSERT_TRUE(t.Translate("hello", "en", "es", {}).ok());
    EXPECT_TRUE(log.empty());
}

TEST(OllamaAnswersTest, ThinkingExtraAndMissingFieldsAndSplitLines) {
    HttpClient http;
    for (std::vector<std::string> args : {std::vector<std::string>{"--thinking"},
                                          {"--extra-fields"},
                                          {"--minimal"},
                                          {"--split-lines"},
                                          {"--split-lines", "--thinking", "--extra-fields"}}) {
        std::string name;
        for (auto& a : args) name += a + " ";
        DoubleProcess d("ollama_double.py", args);
        std::vector<std::string> log;
        OllamaScriptWriter w(Opts(d), http);
        auto r = w.Write({"A fox in the snow in 2 scenes", "", "", "en", 6},
                         [&](const std::string& l) { log.push_back(l); }, {});
        ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
        // The reasoning is never part of the answer (nor of the streamed log).
        EXPECT_EQ(r->raw.find("let me think"), std::string::npos) << name;
        EXPECT_FALSE(Has(log, "let me think")) << name;
        EXPECT_FALSE(Has(log, "repair attempt")) << name;
        OllamaTranslator t(Opts(d), http);  // the non-streaming path
        auto tr = t.Translate("good night", "en", "es", {});
        ASSERT_TRUE(tr.ok()) << name << ": " << tr.error().message;
        EXPECT_EQ(*tr, "buenas noches") << name;
    }
}

TEST(OllamaAnswersTest, LengthLimitedAnswerFailsSayingSo) {
    DoubleProcess d("ollama_double.py", {"--done-reason-length"});
    HttpClient http;
    OllamaScriptWriter w(Opts(d), http);
    auto r = w.Write({"a fox", "", "", "en", 7}, [](const std::string&) {}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kExternal);
    EXPECT_NE(r.error().message.find("done_reason \"length\""), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("llama3.2"), std::string::npos);
    OllamaTranslator t(Opts(d), http);
    auto tr = t.Translate("hello", "en", "es", {});
    ASSERT_FALSE(tr.ok());
    EXPECT_NE(tr.error().message.find("cut off"), std::string::npos) << tr.error().message;
    // One request each: a cut-off answer is not "repaired" by asking again.
    EXPECT_EQ(d.RequestsTo("/api/chat", "POST").size(), 2u);
}

TEST(OllamaAnswersTest, TheScriptRequestCarriesModelSchemaAndStreaming) {
    DoubleProcess d("ollama_double.py");
    HttpClient http;
    OllamaScriptWriter w(Opts(d), http);
    auto r = w.Write({"A lighthouse at dusk in 3 scenes", "", "noir", "en", 9},
                     [](const std::string&) {}, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto chats = d.RequestsTo("/api/chat", "POST");
    ASSERT_EQ(chats.size(), 1u);
    const auto& body = chats[0]["json"];
    EXPECT_EQ(chats[0]["headers"]["content-type"], "application/json");
    EXPECT_EQ(body["model"], "llama3.2");
    EXPECT_EQ(body["stream"], true);
    EXPECT_EQ(body["think"], false);
    EXPECT_EQ(body["options"]["temperature"], 0);
    EXPECT_EQ(body["format"]["type"], "object");
    ASSERT_EQ(body["messages"].size(), 2u);
    EXPECT_EQ(body["messages"][0]["role"], "system");
    EXPECT_NE(body["messages"][0]["content"].get<std::string>().find("3 scene(s)"),
              std::string::npos);
    EXPECT_NE(body["messages"][1]["content"].get<std::string>().find("A lighthouse at dusk"),
              std::string::npos);
    EXPECT_NE(body["messages"][1]["content"].get<std::string>().find("noir"), std::string::npos);
}

TEST(OllamaAnswersTest, MidStreamErrorShowsTheServiceText) {
    DoubleProcess d("ollama_double.py", {"--midstream-error"});
    HttpClient http;
    OllamaScriptWriter w(Opts(d), http);
    auto r = w.Write({"a fox", "", "", "en", 7}, [](const std::string&) {}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(
                  "failed mid-answer: an error was encountered while running the model"),
              std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().message.find("{\""), std::string::npos)
        << r.error().message;  // no raw JSON
}

TEST(OllamaAnswersTest, ATimeoutSaysNoAnswerWithinTheLimit) {
    DoubleProcess d("ollama_double.py", {"--delay", "30"});
    HttpClient http;
    auto o = Opts(d);
    o.timeout = std::chrono::seconds(1);
    o.retry.max_attempts = 2;
    OllamaTranslator t(o, http);
    auto r = t.Translate("hello", "en", "es", {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kTimeout);
    EXPECT_NE(r.error().message.find("Ollama (" + d.url() + "/api/chat): no answer within 1 s"),
              std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().message.find("unreachable"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("(2 requests sent, all failed)"), std::string::npos)
        << r.error().message;
    const auto sent = d.RequestsTo("/api/chat", "POST");  // the double logs on arrival
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_TRUE(sent[0]["status"].is_null());  // never answered
}

}  // namespace
}  // namespace beacon::engines
