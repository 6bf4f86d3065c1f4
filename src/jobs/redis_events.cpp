#include "jobs/redis_events.hpp"

#include <chrono>
#include <iostream>

#include <hiredis/hiredis.h>
#include <poll.h>

#include <cerrno>

namespace beacon::jobs {

using core::Error;

namespace {

/// True on the thread that is re-publishing an event taken from Redis (so it is not sent back).
thread_local bool tl_from_redis = false;

constexpr std::size_t kOutboxLimit = 10000;  // events kept while Redis is away; oldest dropped

struct Conn {
    redisContext* c = nullptr;
    ~Conn() {
        if (c) redisFree(c);
    }
};

/// Connects (and authenticates / selects the db). Returns an error text or "".
std::string Connect(const RedisUrl& u, Conn& conn, int timeout_ms) {
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    conn.c = redisConnectWithTimeout(u.host.c_str(), u.port, tv);
    if (conn.c == nullptr) return "out of memory";
    if (conn.c->err) return conn.c->errstr;
    auto simple = [&](redisReply* r) -> std::string {
        if (r == nullptr) return conn.c->errstr;
        std::string err = r->type == REDIS_REPLY_ERROR ? std::string(r->str, r->len) : "";
        freeReplyObject(r);
        return err;
    };
    if (!u.password.empty()) {
        if (auto e = simple(static_cast<redisReply*>(redisCommand(conn.c, "AUTH %s", u.password.c_str())));
            !e.empty()) {
            return "AUTH: " + e;
        }
    }
    if (u.db != 0) {
        if (auto e = simple(static_cast<redisReply*>(redisCommand(conn.c, "SELECT %d", u.db))); !e.empty()) {
            return "SELECT: " + e;
        }
    }
    return "";
}

}  // namespace

core::Result<RedisUrl> ParseRedisUrl(const std::string& url) {
    constexpr std::string_view kScheme = "redis://";
    if (!url.starts_with(kScheme)) return Error::Invalid("redis url must start with redis://");
    std::string rest = url.substr(kScheme.size());
    RedisUrl u;
    if (auto at = rest.rfind('@'); at != std::string::npos) {
        std::string cred = rest.substr(0, at);
        rest = rest.substr(at + 1);
        auto colon = cred.find(':');
        u.password = colon == std::string::npos ? cred : cred.substr(colon + 1);
    }
    if (auto slash = rest.find('/'); slash != std::string::npos) {
        std::string db = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
        if (!db.empty()) {
            if (db.find_first_not_of("0123456789") != std::string::npos || db.size() > 4) {
                return Error::Invalid("redis url: bad database number '" + db + "'");
            }
            u.db = std::stoi(db);
        }
    }
    if (auto colon = rest.rfind(':'); colon != std::string::npos) {
        std::string port = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(port) > 65535 || std::stoi(port) == 0) {
            return Error::Invalid("redis url: bad port '" + port + "'");
        }
        u.port = std::stoi(port);
    }
    if (rest.empty()) return Error::Invalid("redis url: no host");
    u.host = rest;
    return u;
}

RedisEventBridge::RedisEventBridge(EventBus& bus, RedisUrl url, std::string origin,
                                   std::string channel)
    : bus_(bus), url_(std::move(url)), origin_(std::move(origin)), channel_(std::move(channel)) {
    subscription_ = bus_.Subscribe([this](const Event& e) {
        if (tl_from_redis) return;  // it came from another process: not ours to send
        core::Json msg = {{"origin", origin_}, {"type", e.type}, {"v", e.v}, {"data", e.data}};
        {
            std::lock_guard lock(mu_);
            outbox_.push_back(msg.dump());
            while (outbox_.size() > kOutboxLimit) outbox_.pop_front();
        }
        cv_.notify_one();
    });
    sender_ = std::jthread([this](std::stop_token st) { SendLoop(st); });
    receiver_ = std::jthread([this](std::stop_token st) { ReceiveLoop(st); });
}

RedisEventBridge::~RedisEventBridge() {
    bus_.Unsubscribe(subscription_);
    sender_.request_stop();
    receiver_.request_stop();
    cv_.notify_all();
}

void RedisEventBridge::Note(const std::string& what) {
    std::lock_guard lock(note_mu_);
    if (what == last_note_) return;  // said once, not on every retry
    last_note_ = what;
    std::cerr << "beacon: events: " << what << "\n";
}

void RedisEventBridge::SendLoop(std::stop_token stop) {
    Conn conn;
    auto backoff = std::chrono::milliseconds(100);
    while (!stop.stop_requested()) {
        if (conn.c == nullptr || conn.c->err) {
            if (conn.c) {
                redisFree(conn.c);
                conn.c = nullptr;
            }
            if (auto err = Connect(url_, conn, 2000); !err.empty()) {
                Note("Redis at " + url_.host + ":" + std::to_string(url_.port) +
                     " unavailable (" + err + "); job events stay in this process until it is back");
                if (conn.c) {
                    redisFree(conn.c);
                    conn.c = nullptr;
                }
                std::unique_lock lock(mu_);
                cv_.wait_for(lock, stop, backoff, [] { return false; });
                backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
                continue;
            }
            backoff = std::chrono::milliseconds(100);
        }
        std::string msg;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, stop, [&] { return !outbox_.empty(); });
            if (stop.stop_requested()) return;
            msg = std::move(outbox_.front());
            outbox_.pop_front();
        }
        auto* r = static_cast<redisReply*>(redisCommand(conn.c, "PUBLISH %s %b", channel_.c_str(),
                                                        msg.data(), msg.size()));
        if (r == nullptr) {
            std::lock_guard lock(mu_);
            outbox_.push_front(std::move(msg));  // sent again once reconnected
            continue;
        }
        freeReplyObject(r);
        sent_.fetch_add(1);
    }
}

void RedisEventBridge::ReceiveLoop(std::stop_token stop) {
    auto backoff = std::chrono::milliseconds(100);
    while (!stop.stop_requested()) {
        Conn conn;
        if (auto err = Connect(url_, conn, 2000); !err.empty()) {
            subscribed_ = false;
            Note("Redis at " + url_.host + ":" + std::to_string(url_.port) + " unavailable (" +
                 err + "); events from other processes will not reach this one until it is back");
            std::mutex m;
            std::unique_lock lock(m);
            std::condition_variable_any cv;
            cv.wait_for(lock, stop, backoff, [] { return false; });
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
            continue;
        }
        auto* r = static_cast<redisReply*>(redisCommand(conn.c, "SUBSCRIBE %s", channel_.c_str()));
        if (r == nullptr) continue;
        freeReplyObject(r);
        subscribed_ = true;
        backoff = std::chrono::milliseconds(100);
        {
            std::lock_guard lock(note_mu_);
            if (!last_note_.empty()) std::cerr << "beacon: events: connected to Redis again\n";
            last_note_.clear();
        }
        while (!stop.stop_requested()) {
            void* raw = nullptr;
            if (redisGetReplyFromReader(conn.c, &raw) != REDIS_OK) break;
            if (raw == nullptr) {
                // Nothing buffered: wait for bytes, waking every 200 ms to notice a stop.
                pollfd p{conn.c->fd, POLLIN, 0};
                const int n = ::poll(&p, 1, 200);
                if (n == 0 || (n < 0 && errno == EINTR)) continue;
                if (n < 0 || redisBufferRead(conn.c) != REDIS_OK) break;  // connection lost
                continue;
            }
            auto* reply = static_cast<redisReply*>(raw);
            if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
                reply->element[2]->type == REDIS_REPLY_STRING) {
                core::Json msg = core::Json::parse(
                    std::string(reply->element[2]->str, reply->element[2]->len), nullptr, false);
                if (msg.is_object() && msg.value("origin", "") != origin_ &&
                    msg.contains("type") && msg["type"].is_string()) {
                    tl_from_redis = true;
                    bus_.Publish(msg["type"].get<std::string>(),
                                 msg.contains("data") ? msg["data"] : core::Json::object(),
                                 msg.value("v", 1));
                    tl_from_redis = false;
                    received_.fetch_add(1);
                }
            }
            freeReplyObject(reply);
        }
        subscribed_ = false;
    }
}

}  // namespace beacon::jobs
