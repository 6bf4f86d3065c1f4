// The ComfyUI adapter against a stand-in that behaves like the server (api-notes 2b): binary
// preview frames and progress_state on /ws, a node cache (execution_cached), one prompt at a time
// from a real queue, a dropped socket, a lost answer to POST /prompt; cancel removes a queued
// prompt; a prompt never runs twice.
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

#include "engines/comfyui.hpp"
#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

ComfyOptions Opts(const DoubleProcess& d) {
    ComfyOptions o;
    o.host = d.url();
    o.steps = 8;
    o.timeout = std::chrono::seconds(60);
    o.poll_interval = std::chrono::milliseconds(50);
    o.retry.base_delay = std::chrono::milliseconds(10);
    return o;
}

PictureRequest Req(std::int64_t seed = 42) {
    PictureRequest r;
    r.scene.description = "a lighthouse at dusk";
    r.style = "cinematic";
    r.width = 64;
    r.height = 48;
    r.seed = seed;
    return r;
}

std::string Slurp(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

/// A thread-safe log that remembers lines.
struct Log {
    std::mutex mu;
    std::vector<std::string> lines;
    LogSink Sink() {
        return [this](const std::string& l) {
            std::lock_guard lock(mu);
            lines.push_back(l);
        };
    }
    bool Has(const std::string& needle) {
        std::lock_guard lock(mu);
        for (const auto& l : lines) {
            if (l.find(needle) != std::string::npos) return true;
        }
        return false;
    }
    std::string After(const std::string& prefix) {
        std::lock_guard lock(mu);
        for (const auto& l : lines) {
            if (auto p = l.find(prefix); p != std::string::npos) {
                std::string rest = l.substr(p + prefix.size());
                return rest.substr(0, rest.find(' '));
            }
        }
        return "";
    }
};

TEST(ComfyAnswersTest, PreviewFramesProgressStateAndTheNodeCache) {
    DoubleProcess d("comfyui_double.py");
    HttpClient http;
    ComfyPictureEngine e(Opts(d), http);
    const auto dir = testing::ScratchDir("beacon_comfy_answers");
    Log first;
    auto a = e.Paint(Req(), dir / "a", first.Sink(), {});
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_TRUE(first.Has("step 8/8"));  // text frames read past the binary previews
    // The same request again: ComfyUI answers from its node cache (execution_cached lists every
    // node, nothing is sampled) and history names the earlier file. Still a picture.
    Log second;
    auto b = e.Paint(Req(), dir / "b", second.Sink(), {});
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_FALSE(second.Has("step "));
    EXPECT_EQ(Slurp(a->image), Slurp(b->image));
    EXPECT_NE(a->provenance.parameters["prompt_id"], b->provenance.parameters["prompt_id"]);
    // Our requests: one POST /prompt each, with the graph and our socket's client_id.
    auto posts = d.RequestsTo("/prompt", "POST");
    ASSERT_EQ(posts.size(), 2u);
    EXPECT_TRUE(posts[0]["json"]["prompt"].is_object());
    const std::string client = posts[0]["json"]["client_id"];
    bool socket_for_it = false;
    for (const auto& r : d.RequestsTo("/ws")) {
        socket_for_it |=
            r["path"].get<std::string>().find("clientId=" + client) != std::string::npos;
    }
    EXPECT_TRUE(socket_for_it);
}

TEST(ComfyAnswersTest, ADroppedSocketFallsBackToHistory) {
    DoubleProcess d("comfyui_double.py", {"--drop-ws-after", "3", "--step-delay", "0.02"});
    HttpClient http;
    ComfyPictureEngine e(Opts(d), http);
    Log log;
    auto r = e.Paint(Req(), testing::ScratchDir("beacon_comfy_answers"), log.Sink(), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(log.Has("progress socket closed"));
    EXPECT_FALSE(d.RequestsTo("/history/").empty());
}

TEST(ComfyAnswersTest, ALostAnswerIsNotSentAgain) {
    // The prompt is queued, but the answer to POST /prompt is a 502: sending it again would run it
    // twice.
    DoubleProcess d("comfyui_double.py",
                    {"--fail", "502", "--fail-times", "1", "--fail-after-queue"});
    HttpClient http;
    ComfyPictureEngine e(Opts(d), http);
    Log log;
    auto r = e.Paint(Req(), testing::ScratchDir("beacon_comfy_answers"), log.Sink(), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(d.RequestsTo("/prompt", "POST").size(), 1u);
    EXPECT_EQ(d.RequestsTo("/queue", "GET").size(), 1u);
    EXPECT_TRUE(log.Has("was lost"));
}

TEST(ComfyAnswersTest, AFailureBeforeQueueingIsSentAgainAfterLooking) {
    DoubleProcess d("comfyui_double.py", {"--fail", "500", "--fail-times", "1"});
    HttpClient http;
    ComfyPictureEngine e(Opts(d), http);
    auto r = e.Paint(Req(), testing::ScratchDir("beacon_comfy_answers"), {}, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    // POST, then /queue and /history show it is not there, then POST again.
    std::vector<std::string> seq;
    for (const auto& q : d.Requests()) {
        std::string p = q["path"].get<std::string>();
        if (p == "/prompt" || p == "/queue" || p.rfind("/history?", 0) == 0)
            seq.push_back(q["method"].get<std::string>() + " " + p.substr(0, p.find('?')));
    }
    EXPECT_EQ(seq, (std::vector<std::string>{"POST /prompt", "GET /queue", "GET /history",
                                             "POST /prompt"}));
}

TEST(ComfyAnswersTest, AlwaysFailingPromptCountsTheRequestsSent) {
    DoubleProcess d("comfyui_double.py", {"--fail", "500"});
    HttpClient http;
    auto o = Opts(d);
    o.retry.max_attempts = 3;
    ComfyPictureEngine e(o, http);
    auto r = e.Paint(Req(), testing::ScratchDir("beacon_comfy_answers"), {}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(d.RequestsTo("/prompt", "POST").size(), 3u);
    EXPECT_NE(r.error().message.find("(3 requests sent, all failed)"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("HTTP 500"), std::string::npos);
}

TEST(ComfyAnswersTest, CancelRemovesAQueuedPromptAndInterruptsARunningOne) {
    // One prompt at a time: B waits in the queue behind A. Cancelling B deletes it from the
    // queue (it never runs); cancelling A interrupts it.
    DoubleProcess d("comfyui_double.py", {"--step-delay", "0.25"});
    HttpClient http;
    ComfyPictureEngine e(Opts(d), http);
    const auto dir = testing::ScratchDir("beacon_comfy_answers");
    std::stop_source stop_a;
    Log log_a;
    auto a = std::async(std::launch::async, [&] {
        return e.Paint(Req(1), dir / "qa", log_a.Sink(), stop_a.get_token());
    });
    for (int i = 0; i < 400 && !log_a.Has("queued prompt"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ASSERT_TRUE(log_a.Has("queued prompt"));
    std::stop_source stop_b;
    Log log_b;
    auto b = e.Paint(
        Req(2), dir / "qb",
        [&](const std::string& l) {
            log_b.Sink()(l);
            if (l.find("queued prompt") != std::string::npos) stop_b.request_stop();
        },
        stop_b.get_token());
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.error().code, core::ErrorCode::kCanceled);
    const std::string id_b = log_b.After("queued prompt ");
    ASSERT_FALSE(id_b.empty());
    bool deleted = false;
    for (const auto& q : d.RequestsTo("/queue", "POST")) {
        for (const auto& id : q["json"]["delete"]) deleted |= id == id_b;
    }
    EXPECT_TRUE(deleted);
    stop_a.request_stop();
    auto ra = a.get();
    ASSERT_FALSE(ra.ok());
    EXPECT_EQ(ra.error().code, core::ErrorCode::kCanceled);
    const std::string id_a = log_a.After("queued prompt ");
    bool interrupted = false;
    for (const auto& q : d.RequestsTo("/interrupt", "POST"))
        interrupted |= q["json"]["prompt_id"] == id_a;
    EXPECT_TRUE(interrupted);
    // B never ran: the server has no history for it, now or after A has stopped.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    HttpRequest h;
    h.url = d.url() + "/history/" + id_b;
    auto hr = http.Send(h, {});
    ASSERT_TRUE(hr.ok());
    EXPECT_EQ(hr->body, "{}");
    HttpRequest q;
    q.url = d.url() + "/queue";
    auto qr = http.Send(q, {});
    ASSERT_TRUE(qr.ok());
    EXPECT_EQ(qr->body.find(id_b), std::string::npos);
}

}  // namespace
}  // namespace beacon::engines
