#include "remote/client.hpp"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "remote/codec.hpp"
#include "remote/upload.hpp"

namespace beacon::remote {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using core::Result;
using core::Status;
using storage::Batch;
using storage::ContentPatch;
using storage::ContentQuery;
using storage::JobQuery;
using storage::Page;

namespace {

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

std::size_t ReadFromFile(char* buffer, std::size_t size, std::size_t n, void* file) {
    return std::fread(buffer, size, n, static_cast<std::FILE*>(file));
}

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

Result<Json> JsonOf(const HttpAnswer& a) {
    try {
        return Json::parse(a.body.empty() ? std::string("{}") : a.body);
    } catch (const Json::exception& e) {
        return Error::External(std::string("the studio answered with something not JSON: ") +
                               e.what());
    }
}

}  // namespace

StudioClient::StudioClient(std::string base_url) : base_url_(std::move(base_url)) {
    static CurlGlobal global;
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

void StudioClient::SetWorkerToken(std::string token) {
    std::lock_guard lock(mu_);
    worker_token_ = std::move(token);
}

std::string StudioClient::worker_token() const {
    std::lock_guard lock(mu_);
    return worker_token_;
}

void StudioClient::OnUnauthorized(std::function<void(const std::string&)> f) {
    std::lock_guard lock(mu_);
    on_unauthorized_ = std::move(f);
}

Result<HttpAnswer> StudioClient::Once(const std::string& method, const std::string& path,
                                      const std::string& token, const std::string& body,
                                      const std::string& range, const fs::path* file,
                                      const std::string& file_sha256) {
    CURL* curl = curl_easy_init();
    if (!curl) return Error::Internal("curl_easy_init failed");
    HttpAnswer answer;
    const std::string url = base_url_ + path;
    curl_slist* headers = nullptr;
    const std::string token_header = "X-Beacon-Token: " + token;
    if (!token.empty()) headers = curl_slist_append(headers, token_header.c_str());
    const std::string range_header = "Range: bytes=" + range;
    if (!range.empty()) headers = curl_slist_append(headers, range_header.c_str());
    const std::string sha_header = std::string(kSha256Header) + ": " + file_sha256;
    if (!file_sha256.empty()) headers = curl_slist_append(headers, sha_header.c_str());
    std::FILE* in = nullptr;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    // A stalled transfer (under 1 KB/s for 60 s) fails instead of hanging the job.
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
    if (file) {
        in = std::fopen(file->c_str(), "rb");
        if (!in) {
            curl_slist_free_all(headers);
            curl_easy_cleanup(curl);
            return Error::Unavailable("cannot read " + file->string(), false);
        }
        std::error_code ec;
        const auto size = static_cast<curl_off_t>(fs::file_size(*file, ec));
        headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
        headers = curl_slist_append(headers, "Expect:");
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadFromFile);
        curl_easy_setopt(curl, CURLOPT_READDATA, in);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, size);
    } else if (method == "GET") {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
        if (method != "DELETE" || !body.empty()) {
            headers = curl_slist_append(headers, "Content-Type: application/json");
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(body.size()));
        }
    }
    if (file) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (in) std::fclose(in);
    if (rc != CURLE_OK) {
        return Error::Unavailable("cannot reach the studio at " + base_url_ + " (" + method + " " +
                                  path + "): " + curl_easy_strerror(rc));
    }
    return answer;
}

Error StudioClient::ErrorOf(const HttpAnswer& a) {
    Error e = Error::External("the studio answered HTTP " + std::to_string(a.status));
    try {
        Json j = Json::parse(a.body);
        if (j.contains("error") && j["error"].is_object()) {
            e = ParseWireError(j["error"]);
        }
    } catch (const Json::exception&) {
    }
    switch (a.status) {
        case 400:
            e.code = core::ErrorCode::kInvalidArgument;
            break;
        case 401:
            e.code = core::ErrorCode::kUnauthorized;
            break;
        case 403:
            e.code = core::ErrorCode::kForbidden;
            break;
        case 404:
            e.code = core::ErrorCode::kNotFound;
            break;
        case 409:
            e.code = core::ErrorCode::kConflict;
            break;
        case 413:
            e.code = core::ErrorCode::kTooLarge;
            break;
        default:
            if (a.status >= 500) {
                e.code = core::ErrorCode::kUnavailable;
                e.retryable = true;
            }
    }
    return e;
}

Result<HttpAnswer> StudioClient::WithRetries(const std::function<Result<HttpAnswer>()>& once) {
    auto wait = std::chrono::milliseconds(200);
    for (int attempt = 1;; ++attempt) {
        auto a = once();
        const bool transient = !a.ok() || a->status == 502 || a->status == 503;
        if (!transient || attempt == 5) {
            if (!a.ok()) return a;
            if (a->status >= 400) {
                Error e = ErrorOf(*a);
                if (a->status == 401) {
                    std::function<void(const std::string&)> f;
                    {
                        std::lock_guard lock(mu_);
                        f = on_unauthorized_;
                    }
                    if (f && !told_unauthorized_.exchange(true)) f(e.message);
                }
                return e;
            }
            return a;
        }
        std::this_thread::sleep_for(wait);
        wait = std::min(wait * 2, std::chrono::milliseconds(3000));
    }
}

Result<HttpAnswer> StudioClient::Call(const std::string& method, const std::string& path,
                                      const std::string& token, const std::string& body,
                                      const std::string& range) {
    return WithRetries([&] { return Once(method, path, token, body, range, nullptr); });
}

Result<HttpAnswer> StudioClient::PutFile(const std::string& path, const std::string& token,
                                         const fs::path& file) {
    BEACON_TRY(sha, Sha256OfFile(file));
    return WithRetries([&] { return Once("PUT", path, token, {}, {}, &file, sha); });
}

// ---- job tokens -------------------------------------------------------------------------------

void JobTokens::Add(std::int64_t job_id, std::string token,
                    std::optional<std::int64_t> content_id) {
    std::lock_guard lock(mu_);
    tokens_[job_id] = std::move(token);
    running_.insert(job_id);
    if (content_id) content_job_[*content_id] = job_id;
}

void JobTokens::Ended(std::int64_t job_id) {
    std::lock_guard lock(mu_);
    running_.erase(job_id);
}

void JobTokens::LinkContent(std::int64_t content_id, std::int64_t job_id) {
    std::lock_guard lock(mu_);
    content_job_[content_id] = job_id;
}

Result<std::pair<std::int64_t, std::string>> JobTokens::ForJob(std::int64_t job_id) const {
    std::lock_guard lock(mu_);
    auto it = tokens_.find(job_id);
    if (it == tokens_.end()) {
        return Error::NotFound("job " + std::to_string(job_id) + " was not claimed by this worker");
    }
    return std::make_pair(job_id, it->second);
}

Result<std::pair<std::int64_t, std::string>> JobTokens::ForContent(std::int64_t content_id) const {
    std::int64_t job = 0;
    {
        std::lock_guard lock(mu_);
        auto it = content_job_.find(content_id);
        if (it == content_job_.end()) {
            return Error::NotFound("library item " + std::to_string(content_id) +
                                   " belongs to no job of this worker");
        }
        job = it->second;
    }
    return ForJob(job);
}

Result<std::pair<std::int64_t, std::string>> JobTokens::Any() const {
    std::lock_guard lock(mu_);
    if (running_.empty()) return Error::NotFound("this worker runs no job");
    const std::int64_t job = *running_.rbegin();
    return std::make_pair(job, tokens_.at(job));
}

Result<std::pair<std::int64_t, std::string>> JobTokens::ForKey(std::string_view key) const {
    auto number_after = [&](std::string_view prefix) -> std::optional<std::int64_t> {
        if (!key.starts_with(prefix)) return std::nullopt;
        auto rest = key.substr(prefix.size());
        auto slash = rest.find('/');
        try {
            return std::stoll(std::string(rest.substr(0, slash)));
        } catch (const std::exception&) {
            return std::nullopt;
        }
    };
    if (auto job = number_after("jobs/")) {
        if (auto t = ForJob(*job); t.ok()) return t;
    }
    if (auto content = number_after("library/")) {
        if (auto t = ForContent(*content); t.ok()) return t;
    }
    return Any();
}

// ---- registration -----------------------------------------------------------------------------

Result<Registration> RegisterWorker(StudioClient& client, const std::string& registration_token,
                                    const std::string& name, const std::string& host) {
    BEACON_TRY(a, client.Call("POST", "/api/v1/remote/register", registration_token,
                              Json{{"name", name}, {"host", host}}.dump()));
    BEACON_TRY(j, JsonOf(a));
    Registration r;
    r.worker_id = j.value("worker_id", std::int64_t{0});
    r.worker_token = j.value("worker_token", std::string());
    r.lease_seconds = static_cast<int>(j.value("lease_seconds", std::int64_t{30}));
    if (r.worker_token.empty()) return Error::External("the studio sent no worker token");
    client.SetWorkerToken(r.worker_token);
    return r;
}

// ---- the database over HTTP ---------------------------------------------------------------------

namespace {

class RemoteDatabase final : public storage::Database {
public:
    RemoteDatabase(StudioClient& client, JobTokens& tokens) : client_(client), tokens_(tokens) {}

    Result<std::optional<core::Job>> ClaimJob(const std::string& /*worker_id*/,
                                              core::UnixMillis /*now*/,
                                              core::UnixMillis /*lease_until*/) override {
        BEACON_TRY(a, client_.Call("POST", "/api/v1/remote/claim", client_.worker_token(), "{}"));
        if (a.status == 204) return std::optional<core::Job>();
        BEACON_TRY(j, JsonOf(a));
        BEACON_TRY(job, ParseWireJob(j["job"]));
        std::optional<std::int64_t> content = job.content_id;
        if (!content && job.params.is_object() && job.params.contains("content_id") &&
            job.params["content_id"].is_number_integer()) {
            content = job.params["content_id"].get<std::int64_t>();
        }
        tokens_.Add(job.id, j.value("job_token", std::string()), content);
        return std::optional<core::Job>(std::move(job));
    }
    Result<bool> RenewLease(std::int64_t job_id, const std::string& /*worker_id*/,
                            core::UnixMillis /*lease_until*/) override {
        auto a = JobCall(job_id, "POST", "/heartbeat", "{}");
        if (!a.ok()) {
            if (a.error().code == core::ErrorCode::kConflict) return false;
            return a.error();
        }
        BEACON_TRY(j, JsonOf(*a));
        return j.value("held", false);
    }
    Result<int> ReleaseLeases(const std::string& /*owner_prefix*/) override {
        return 0;  // the studio's watchdog frees what an earlier life of this worker held
    }
    Status UpdateJobProgress(std::int64_t job_id, core::JobState state, int progress) override {
        return Done(
            JobCall(job_id, "POST", "/heartbeat",
                    Json{{"status", core::ToString(state)}, {"progress", progress}}.dump()));
    }
    Status RecordStage(std::int64_t job_id, const std::string& stage,
                       const Json& outputs) override {
        return Done(JobCall(job_id, "POST", "/stages",
                            Json{{"stage", stage}, {"outputs", outputs}}.dump()));
    }
    Status ForgetStages(std::int64_t job_id, const std::vector<std::string>& stages) override {
        return Done(JobCall(job_id, "POST", "/stages/forget", Json{{"stages", stages}}.dump()));
    }
    Status SetJobUrls(std::int64_t job_id, const Json& urls) override {
        return Done(JobCall(job_id, "POST", "/urls", urls.dump()));
    }
    Status FinishJob(std::int64_t job_id, core::JobState final_state,
                     const std::optional<core::Error>& error,
                     std::optional<std::int64_t> content_id) override {
        Json body{{"status", core::ToString(final_state)}};
        if (error) body["error"] = WireError(*error);
        if (content_id) body["content_id"] = *content_id;
        auto st = Done(JobCall(job_id, "POST", "/finish", body.dump()));
        if (st.ok() || st.error().code == core::ErrorCode::kConflict) tokens_.Ended(job_id);
        return st;
    }
    Status RequeueJob(std::int64_t job_id, core::UnixMillis run_after,
                      const std::string& reason) override {
        auto st = Done(JobCall(job_id, "POST", "/requeue",
                               Json{{"run_after", run_after}, {"reason", reason}}.dump()));
        if (st.ok() || st.error().code == core::ErrorCode::kConflict) tokens_.Ended(job_id);
        return st;
    }
    Result<core::Job> GetJob(std::int64_t id) override {
        BEACON_TRY(a, JobCall(id, "GET", "", ""));
        BEACON_TRY(j, JsonOf(a));
        return ParseWireJob(j);
    }
    Result<core::JobLogLine> AppendJobLog(std::int64_t job_id, const std::string& stage,
                                          core::LogLevel level,
                                          const std::string& message) override {
        BEACON_TRY(a,
                   JobCall(job_id, "POST", "/logs",
                           Json{{"stage", stage}, {"level", level}, {"message", message}}.dump()));
        BEACON_TRY(j, JsonOf(a));
        return ParseWireLogLine(j);
    }
    Result<core::Content> BeginJobContent(std::int64_t job_id, const core::Content& c) override {
        BEACON_TRY(a, JobCall(job_id, "POST", "/content", WireContent(c).dump()));
        BEACON_TRY(j, JsonOf(a));
        BEACON_TRY(row, ParseWireContent(j));
        tokens_.LinkContent(row.id, job_id);
        return row;
    }
    Status CompleteJobContent(std::int64_t job_id, const core::Content& c) override {
        tokens_.LinkContent(c.id, job_id);
        return Done(JobCall(job_id, "POST", "/content/" + std::to_string(c.id) + "/complete",
                            WireContent(c).dump()));
    }
    Result<core::Content> GetContent(std::int64_t id) override {
        BEACON_TRY(t, tokens_.ForContent(id));
        BEACON_TRY(a, JobCall(t.first, "GET", "/content/" + std::to_string(id), ""));
        BEACON_TRY(j, JsonOf(a));
        return ParseWireContent(j);
    }
    Status UpdateContent(const core::Content& c) override {
        BEACON_TRY(t, tokens_.ForContent(c.id));
        return Done(
            JobCall(t.first, "PUT", "/content/" + std::to_string(c.id), WireContent(c).dump()));
    }
    Status DeleteContent(std::int64_t id) override {
        BEACON_TRY(t, tokens_.ForContent(id));
        return Done(JobCall(t.first, "DELETE", "/content/" + std::to_string(id), ""));
    }
    Result<core::Asset> AddAsset(const core::Asset& a) override {
        if (!a.job_id) return NotHere("AddAsset without a job");
        BEACON_TRY(answer, JobCall(*a.job_id, "POST", "/assets", WireAsset(a).dump()));
        BEACON_TRY(j, JsonOf(answer));
        return ParseWireAsset(j);
    }
    Result<std::optional<core::Asset>> FindAssetByHash(const std::string& hash) override {
        BEACON_TRY(t, tokens_.Any());
        BEACON_TRY(a, JobCall(t.first, "GET", "/assets?hash=" + hash, ""));
        BEACON_TRY(j, JsonOf(a));
        if (!j.contains("asset") || j["asset"].is_null()) return std::optional<core::Asset>();
        BEACON_TRY(asset, ParseWireAsset(j["asset"]));
        return std::optional<core::Asset>(std::move(asset));
    }

    // Everything a job never calls: the studio's own business.
    Result<core::User> GetOrCreateUser(const std::string& /*name*/) override {
        return NotHere("GetOrCreateUser");
    }
    Result<core::User> GetUserById(std::int64_t /*id*/) override { return NotHere("GetUserById"); }
    Result<core::User> GetUserByName(const std::string& /*name*/) override {
        return NotHere("GetUserByName");
    }
    Result<core::User> GetUserByStreamKey(const std::string& /*key*/) override {
        return NotHere("GetUserByStreamKey");
    }
    Status SetPasswordHash(std::int64_t /*user_id*/, const std::string& /*hash*/) override {
        return NotHere("SetPasswordHash");
    }
    Status SetStreamKey(std::int64_t /*user_id*/, const std::string& /*key*/) override {
        return NotHere("SetStreamKey");
    }
    Result<std::int64_t> CountUsersWithPassword() override {
        return NotHere("CountUsersWithPassword");
    }
    Status CreateSession(const std::string& /*id_hash*/, std::int64_t /*user_id*/,
                         const std::string& /*csrf_token*/,
                         core::UnixMillis /*expires_at*/) override {
        return NotHere("CreateSession");
    }
    Result<Session> GetSession(const std::string& /*id_hash*/, core::UnixMillis /*now*/) override {
        return NotHere("GetSession");
    }
    Status DeleteSession(const std::string& /*id_hash*/) override {
        return NotHere("DeleteSession");
    }
    Result<Token> CreateToken(std::int64_t /*user_id*/, const std::string& /*name*/,
                              const std::string& /*token_hash*/) override {
        return NotHere("CreateToken");
    }
    Result<Token> GetTokenByHash(const std::string& /*token_hash*/) override {
        return NotHere("GetTokenByHash");
    }
    Result<std::vector<Token>> ListTokens(std::int64_t /*user_id*/) override {
        return NotHere("ListTokens");
    }
    Status DeleteToken(std::int64_t /*user_id*/, std::int64_t /*token_id*/) override {
        return NotHere("DeleteToken");
    }
    Result<core::Job> CreateJob(std::int64_t /*user_id*/,
                                const core::GenerateRequest& /*req*/) override {
        return NotHere("CreateJob");
    }
    Result<core::Job> CreateJobOfKind(std::int64_t /*user_id*/, core::JobKind /*kind*/,
                                      const core::Json& /*params*/,
                                      const core::GenerateRequest& /*req*/) override {
        return NotHere("CreateJobOfKind");
    }
    Result<Page<core::Job>> ListJobs(const JobQuery& /*q*/) override { return NotHere("ListJobs"); }
    Result<Batch> CreateBatch(std::int64_t /*user_id*/, const std::string& /*name*/,
                              int /*max_parallel*/,
                              const std::vector<core::GenerateRequest>& /*items*/) override {
        return NotHere("CreateBatch");
    }
    Result<Batch> GetBatch(std::int64_t /*id*/) override { return NotHere("GetBatch"); }
    Result<std::vector<Batch>> ListBatches(std::int64_t /*user_id*/, int /*limit*/) override {
        return NotHere("ListBatches");
    }
    Result<std::string> JobFingerprint(std::int64_t /*id*/) override {
        return NotHere("JobFingerprint");
    }
    Result<core::Job> RequestCancel(std::int64_t /*job_id*/) override {
        return NotHere("RequestCancel");
    }
    Result<core::Job> RetryJob(std::int64_t /*job_id*/) override { return NotHere("RetryJob"); }
    Result<core::Job> ReopenJob(std::int64_t /*job_id*/) override { return NotHere("ReopenJob"); }
    Result<std::vector<core::JobLogLine>> GetJobLogs(std::int64_t /*job_id*/,
                                                     std::int64_t /*after_id*/,
                                                     int /*limit*/) override {
        return NotHere("GetJobLogs");
    }
    Result<std::vector<core::JobLogLine>> GetRecentJobLogs(std::int64_t /*job_id*/,
                                                           int /*limit*/) override {
        return NotHere("GetRecentJobLogs");
    }
    Result<core::Content> CreateContent(const core::Content& /*c*/) override {
        return NotHere("CreateContent");
    }
    Result<Page<core::Content>> ListContent(const ContentQuery& /*q*/) override {
        return NotHere("ListContent");
    }
    Result<core::Content> PatchContent(std::int64_t /*id*/, const ContentPatch& /*p*/) override {
        return NotHere("PatchContent");
    }
    Status ScheduleObjectDelete(const std::string& /*prefix*/,
                                core::UnixMillis /*due_at*/) override {
        return NotHere("ScheduleObjectDelete");
    }
    Result<std::vector<std::string>> TakeDueObjectDeletes(core::UnixMillis /*now*/) override {
        return NotHere("TakeDueObjectDeletes");
    }
    Result<int> SweepAbandonedContent() override { return NotHere("SweepAbandonedContent"); }
    Result<std::vector<core::Asset>> ListAssetsForJob(std::int64_t /*job_id*/) override {
        return NotHere("ListAssetsForJob");
    }
    Result<std::vector<core::Asset>> ListAssetsForContent(std::int64_t /*content_id*/) override {
        return NotHere("ListAssetsForContent");
    }
    Status LinkJobAssetsToContent(std::int64_t /*job_id*/, std::int64_t /*content_id*/) override {
        return NotHere("LinkJobAssetsToContent");
    }
    Result<core::Playlist> CreatePlaylist(const core::Playlist& /*p*/) override {
        return NotHere("CreatePlaylist");
    }
    Result<core::Playlist> GetPlaylist(std::int64_t /*id*/) override {
        return NotHere("GetPlaylist");
    }
    Result<core::Playlist> GetPlaylistBySlug(const std::string& /*slug*/) override {
        return NotHere("GetPlaylistBySlug");
    }
    Result<std::vector<core::Playlist>> ListPlaylists() override {
        return NotHere("ListPlaylists");
    }
    Status UpdatePlaylist(const core::Playlist& /*p*/) override {
        return NotHere("UpdatePlaylist");
    }
    Status DeletePlaylist(std::int64_t /*id*/) override { return NotHere("DeletePlaylist"); }
    Result<core::Playlist> DefaultPlaylist() override { return NotHere("DefaultPlaylist"); }
    Result<std::string> GetChannelState(std::int64_t /*playlist_id*/) override {
        return NotHere("GetChannelState");
    }
    Status PutChannelState(std::int64_t /*playlist_id*/, const std::string& /*state*/) override {
        return NotHere("PutChannelState");
    }

private:
    static Error NotHere(const std::string& what) {
        return Error::Unavailable(what + " is not available to a remote worker", false);
    }
    static Status Done(const Result<HttpAnswer>& a) {
        if (!a.ok()) return a.error();
        return {};
    }
    Result<HttpAnswer> JobCall(std::int64_t job_id, const std::string& method,
                               const std::string& suffix, const std::string& body) {
        BEACON_TRY(t, tokens_.ForJob(job_id));
        return client_.Call(method, "/api/v1/remote/jobs/" + std::to_string(job_id) + suffix,
                            t.second, body);
    }

    StudioClient& client_;
    JobTokens& tokens_;
};

// ---- the object store over HTTP -----------------------------------------------------------------

class RemoteStore final : public storage::ObjectStore {
public:
    RemoteStore(StudioClient& client, JobTokens& tokens) : client_(client), tokens_(tokens) {}

    Status Put(std::string_view key, std::string_view bytes) override {
        BEACON_TRY(a, Object("PUT", key, std::string(bytes)));
        (void)a;
        return {};
    }
    Status PutFile(std::string_view key, const fs::path& file) override {
        if (!storage::IsValidKey(key))
            return Error::Invalid("not a media key: " + std::string(key));
        BEACON_TRY(t, tokens_.ForKey(key));
        BEACON_TRY(a, client_.PutFile(Path(t.first, key), t.second, file));
        (void)a;
        return {};  // the file stays (the cache in front of this store moves it in)
    }
    Result<std::string> Get(std::string_view key) override {
        BEACON_TRY(a, Object("GET", key, {}));
        return std::move(a.body);
    }
    Result<std::string> GetRange(std::string_view key, std::int64_t offset,
                                 std::int64_t length) override {
        if (length <= 0) return std::string();
        if (!storage::IsValidKey(key))
            return Error::Invalid("not a media key: " + std::string(key));
        BEACON_TRY(t, tokens_.ForKey(key));
        auto a = client_.Call("GET", Path(t.first, key), t.second, {},
                              std::to_string(offset) + "-" + std::to_string(offset + length - 1));
        if (!a.ok()) {
            if (a.error().message.find("416") != std::string::npos) return std::string();
            return a.error();
        }
        if (a->status == 200) {  // the whole object: cut the range here
            if (offset >= static_cast<std::int64_t>(a->body.size())) return std::string();
            return a->body.substr(static_cast<std::size_t>(offset),
                                  static_cast<std::size_t>(length));
        }
        return std::move(a->body);
    }
    bool Exists(std::string_view key) override { return Size(key).ok(); }
    Result<std::int64_t> Size(std::string_view key) override {
        if (!storage::IsValidKey(key))
            return Error::Invalid("not a media key: " + std::string(key));
        BEACON_TRY(t, tokens_.ForKey(key));
        BEACON_TRY(a, client_.Call("GET", Path(t.first, key) + "?stat=1", t.second));
        BEACON_TRY(j, JsonOf(a));
        return j.value("size", std::int64_t{0});
    }
    Status Delete(std::string_view key_or_prefix) override {
        std::string key(key_or_prefix);
        const bool prefix = !key.empty() && key.back() == '/';
        if (prefix) key.pop_back();
        if (!storage::IsValidKey(key)) return Error::Invalid("not a media key: " + key);
        BEACON_TRY(t, tokens_.ForKey(key));
        auto a = client_.Call("DELETE", Path(t.first, key) + (prefix ? "?prefix=1" : ""), t.second);
        if (!a.ok() && a.error().code != core::ErrorCode::kNotFound) return a.error();
        return {};
    }
    fs::path LocalPath(std::string_view /*key*/) override { return {}; }

private:
    static std::string Path(std::int64_t job, std::string_view key) {
        return "/api/v1/remote/jobs/" + std::to_string(job) + "/objects/" + std::string(key);
    }
    Result<HttpAnswer> Object(const std::string& method, std::string_view key,
                              const std::string& body) {
        if (!storage::IsValidKey(key))
            return Error::Invalid("not a media key: " + std::string(key));
        BEACON_TRY(t, tokens_.ForKey(key));
        return client_.Call(method, Path(t.first, key), t.second, body);
    }

    StudioClient& client_;
    JobTokens& tokens_;
};

}  // namespace

std::unique_ptr<storage::Database> MakeRemoteDatabase(StudioClient& client, JobTokens& tokens) {
    return std::make_unique<RemoteDatabase>(client, tokens);
}

std::unique_ptr<storage::ObjectStore> MakeRemoteStore(StudioClient& client, JobTokens& tokens) {
    return std::make_unique<RemoteStore>(client, tokens);
}

}  // namespace beacon::remote
