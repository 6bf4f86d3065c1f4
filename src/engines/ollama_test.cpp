#include "engines/ollama.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

OllamaOptions Opts(const DoubleProcess& d) {
    OllamaOptions o;
    o.host = d.url();
    o.model = "llama3.2";
    o.timeout = std::chrono::seconds(20);
    o.retry.base_delay = std::chrono::milliseconds(10);
    return o;
}

TEST(OllamaTest, StreamedScriptGoesToTheLog) {
    DoubleProcess d("ollama_double.py");
    HttpClient http;
    OllamaScriptWriter w(Opts(d), http);
    std::vector<std::string> log;
    auto r = w.Write({"A lighthouse at dusk in 3 scenes", "", "noir", "en", 9}, [&](const std::string& l) { log.push_back(l); }, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    double sum = 0;
    for (const auto& s : r->script.scenes) sum += s.duration;
    EXPECT_NEAR(sum, 9, 1e-9);
    EXPECT_EQ(r->provenance.engine, "ollama");
    EXPECT_EQ(r->provenance.model, "llama3.2");
    EXPECT_FALSE(r->provenance.builtin);
    EXPECT_GE(log.size(), 2u);  // the announcement plus streamed text
    std::string all;
    for (auto& l : log) all += l;
    EXPECT_NE(all.find("\"scenes\""), std::string::npos);
}

TEST(OllamaTest, RepairAttemptThenSuccess) {
    DoubleProcess d("ollama_double.py", {"--answer", "invalid-once"});
    HttpClient http;
    OllamaScriptWriter w(Opts(d), http);
    std::vector<std::string> log;
    auto r = w.Write({"a fox", "", "", "en", 7}, [&](const std::string& l) { log.push_back(l); }, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    bool saw = false;
    for (auto& l : log) saw |= l.find("repair attempt") != std::string::npos;
    EXPECT_TRUE(saw);
}

TEST(OllamaTest, InvalidTwiceFailsWithTheRawAnswer) {
    DoubleProcess d("ollama_double.py", {"--answer", "invalid"});
    HttpClient http;
    OllamaScriptWriter w(Opts(d), http);
    auto r = w.Write({"a fox", "", "", "en", 7}, {}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("after one repair attempt"), std::string::npos);
    EXPECT_NE(r.error().message.find("\"scenes\": \"none\""), std::string::npos);
    EXPECT_NE(r.error().message.find(d.url()), std::string::npos);
}

TEST(OllamaTest, ErrorClasses) {
    HttpClient http;
    {
        DoubleProcess d("ollama_double.py", {"--models", "mistral:latest"});
        OllamaScriptWriter w(Opts(d), http);
        auto r = w.Write({"a fox", "", "", "en", 7}, {}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, core::ErrorCode::kNotFound);
        EXPECT_NE(r.error().message.find("llama3.2"), std::string::npos);
        auto h = CheckOllama(Opts(d), http, "script");
        EXPECT_FALSE(h.ok);
        EXPECT_NE(h.detail.find("mistral"), std::string::npos);
    }
    {
        DoubleProcess d("ollama_double.py", {"--midstream-error"});
        OllamaScriptWriter w(Opts(d), http);
        auto r = w.Write({"a fox", "", "", "en", 7}, {}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find("mid-answer"), std::string::npos);
    }
    {
        DoubleProcess d("ollama_double.py", {"--garbage"});
        OllamaScriptWriter w(Opts(d), http);
        auto r = w.Write({"a fox", "", "", "en", 7}, {}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, core::ErrorCode::kExternal);
    }
    {
        DoubleProcess d("ollama_double.py", {"--answer", "prose"});
        OllamaTranslator t(Opts(d), http);
        EXPECT_FALSE(t.Translate("hello", "en", "es", {}).ok());
    }
}

TEST(OllamaTest, TranslatorEntitiesAndHealth) {
    DoubleProcess d("ollama_double.py");
    HttpClient http;
    OllamaTranslator t(Opts(d), http);
    auto tr = t.Translate("hello", "en", "es", {});
    ASSERT_TRUE(tr.ok()) << tr.error().message;
    EXPECT_EQ(*tr, "hola");  // the double translates what it was sent, so this checks our request too
    OllamaEntityExtractor e(Opts(d), http);
    auto en = e.Extract("Marie Curie moved from Warsaw to Paris, then back to Paris.", {});
    ASSERT_TRUE(en.ok()) << en.error().message;
    // The double names the capitalised words of the text it was sent; duplicates are dropped.
    EXPECT_EQ(*en, (std::vector<std::string>{"Marie Curie", "Warsaw", "Paris"}));
    const auto chats = d.RequestsTo("/api/chat", "POST");
    ASSERT_EQ(chats.size(), 2u);
    EXPECT_EQ(chats[0]["json"]["messages"][1]["content"], "hello");
    EXPECT_EQ(chats[0]["json"]["stream"], false);
    EXPECT_EQ(chats[0]["json"]["think"], false);
    EXPECT_EQ(chats[0]["json"]["format"]["required"][0], "translation");
    EXPECT_EQ(chats[1]["json"]["format"]["required"][0], "entities");
    EXPECT_TRUE(CheckOllama(Opts(d), http, "script").ok);
}

TEST(OllamaTest, CancelStopsAStreamingAnswer) {
    DoubleProcess d("ollama_double.py", {"--token-delay", "0.5"});
    HttpClient http;
    OllamaScriptWriter w(Opts(d), http);
    std::stop_source stop;
    auto t0 = std::chrono::steady_clock::now();
    std::jthread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        stop.request_stop();
    });
    auto r = w.Write({"a fox", "", "", "en", 7}, {}, stop.get_token());
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kCanceled);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60));  // hang guard
}

}  // namespace
}  // namespace beacon::engines
