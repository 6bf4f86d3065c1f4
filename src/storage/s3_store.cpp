#include "storage/s3_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace beacon::storage {

namespace fs = std::filesystem;
using core::Error;

namespace s3 {

namespace {
std::string Hex(const unsigned char* p, std::size_t n) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += kDigits[p[i] >> 4];
        out += kDigits[p[i] & 0xf];
    }
    return out;
}
}  // namespace

std::string Sha256Hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return Hex(digest, sizeof digest);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string UriEncode(std::string_view s, bool keep_slash) {
    static const char* kDigits = "0123456789ABCDEF";
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
            (keep_slash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += kDigits[c >> 4];
            out += kDigits[c & 0xf];
        }
    }
    return out;
}

std::string Authorization(const S3Options& o, const std::string& method,
                          const std::string& canonical_uri, const std::string& canonical_query,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::string& payload_hash, const std::string& amz_date) {
    auto sorted = headers;
    std::sort(sorted.begin(), sorted.end());
    std::string canonical_headers;
    std::string signed_headers;
    for (const auto& [name, value] : sorted) {
        canonical_headers += name + ":" + value + "\n";
        if (!signed_headers.empty()) signed_headers += ';';
        signed_headers += name;
    }
    const std::string canonical_request = method + "\n" + canonical_uri + "\n" + canonical_query +
                                          "\n" + canonical_headers + "\n" + signed_headers +
                                          "\n" + payload_hash;
    const std::string date = amz_date.substr(0, 8);
    const std::string scope = date + "/" + o.region + "/s3/aws4_request";
    const std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" +
                                Sha256Hex(canonical_request);
    std::string key = HmacSha256("AWS4" + o.secret_key, date);
    key = HmacSha256(key, o.region);
    key = HmacSha256(key, "s3");
    key = HmacSha256(key, "aws4_request");
    const std::string sig = HmacSha256(key, to_sign);
    return "AWS4-HMAC-SHA256 Credential=" + o.access_key + "/" + scope +
           ", SignedHeaders=" + signed_headers +
           ", Signature=" + Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

}  // namespace s3

namespace {

struct Response {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lowercase names
};

/// What a request sends: nothing, bytes in memory, or a file's bytes.
struct Body {
    std::string_view bytes;
    const fs::path* file = nullptr;
};

std::string AmzDate() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

core::Result<std::string> FileSha256(const fs::path& file, std::int64_t* size) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error::Unavailable("object store: cannot read " + file.string(), false);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    std::vector<char> buf(1 << 16);
    std::int64_t total = 0;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = in.gcount();
        if (n <= 0) break;
        EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(n));
        total += n;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    *size = total;
    static const char* kDigits = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
        hex += kDigits[digest[i] >> 4];
        hex += kDigits[digest[i] & 0xf];
    }
    return hex;
}

struct Upload {
    std::string_view bytes;
    std::size_t offset = 0;
    std::FILE* file = nullptr;
};

std::size_t ReadBody(char* out, std::size_t size, std::size_t n, void* user) {
    auto* u = static_cast<Upload*>(user);
    const std::size_t want = size * n;
    if (u->file) return std::fread(out, 1, want, u->file);
    const std::size_t take = std::min(want, u->bytes.size() - u->offset);
    std::copy_n(u->bytes.data() + u->offset, take, out);
    u->offset += take;
    return take;
}
std::size_t WriteBody(char* in, std::size_t size, std::size_t n, void* user) {
    static_cast<std::string*>(user)->append(in, size * n);
    return size * n;
}
std::size_t WriteHeader(char* in, std::size_t size, std::size_t n, void* user) {
    std::string line(in, size * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
            value.pop_back();
        }
        (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
    }
    return size * n;
}

/// The text of an S3 XML error's <Code> (e.g. "SignatureDoesNotMatch"), or "".
std::string XmlField(const std::string& xml, const std::string& tag, std::size_t* from = nullptr) {
    const std::string open = "<" + tag + ">";
    const std::string close = "</" + tag + ">";
    std::size_t start = xml.find(open, from ? *from : 0);
    if (start == std::string::npos) return "";
    start += open.size();
    std::size_t end = xml.find(close, start);
    if (end == std::string::npos) return "";
    if (from) *from = end + close.size();
    std::string v = xml.substr(start, end - start);
    // Beacon's keys hold no XML specials, but a continuation token may.
    for (auto [esc, ch] : {std::pair{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
                           {"&apos;", '\''}}) {
        for (std::size_t p; (p = v.find(esc)) != std::string::npos;) {
            v.replace(p, std::string_view(esc).size(), 1, ch);
        }
    }
    return v;
}

class S3Store final : public ObjectStore {
public:
    explicit S3Store(S3Options o) : o_(std::move(o)) {
        std::string rest = o_.endpoint;
        auto scheme = rest.find("://");
        scheme_ = scheme == std::string::npos ? "http" : rest.substr(0, scheme);
        if (scheme != std::string::npos) rest = rest.substr(scheme + 3);
        while (!rest.empty() && rest.back() == '/') rest.pop_back();
        host_ = rest;
    }

    core::Status EnsureBucket() {
        BEACON_TRY(head, Send("HEAD", "", {}, {}, {}));
        if (head.status == 200) return {};
        if (head.status != 404) return StatusError(head, "bucket " + o_.bucket);
        BEACON_TRY(made, Send("PUT", "", {}, {}, {}));
        if (made.status == 200) return {};
        return StatusError(made, "create bucket " + o_.bucket);
    }

    core::Status Put(std::string_view key, std::string_view bytes) override {
        if (!IsValidKey(key)) return Error::Invalid("object store: invalid key");
        const auto total = static_cast<std::int64_t>(bytes.size());
        if (total > o_.multipart_threshold) {
            return Multipart(std::string(key), total,
                             [&](std::int64_t off, std::int64_t len) -> core::Result<std::string> {
                                 return std::string(bytes.substr(static_cast<std::size_t>(off),
                                                                 static_cast<std::size_t>(len)));
                             });
        }
        Body b;
        b.bytes = bytes;
        BEACON_TRY(r, Send("PUT", std::string(key), {}, b, {}));
        if (r.status != 200) return StatusError(r, "put " + std::string(key));
        return {};
    }

    core::Status PutFile(std::string_view key, const fs::path& file) override {
        if (!IsValidKey(key)) return Error::Invalid("object store: invalid key");
        std::error_code ec;
        const auto total = static_cast<std::int64_t>(fs::file_size(file, ec));
        if (ec) return Error::Unavailable("object store: cannot read " + file.string(), false);
        if (total > o_.multipart_threshold) {
            std::ifstream in(file, std::ios::binary);
            if (!in) return Error::Unavailable("object store: cannot read " + file.string(), false);
            // One part in memory at a time.
            return Multipart(std::string(key), total,
                             [&](std::int64_t off, std::int64_t len) -> core::Result<std::string> {
                                 std::string part(static_cast<std::size_t>(len), '\0');
                                 in.seekg(off);
                                 in.read(part.data(), len);
                                 if (in.gcount() != len) {
                                     return Error::Unavailable(
                                         "object store: " + file.string() + " ended early (" +
                                             std::to_string(off + in.gcount()) + " of " +
                                             std::to_string(total) + " bytes)",
                                         false);
                                 }
                                 return part;
                             });
        }
        Body b;
        b.file = &file;
        BEACON_TRY(r, Send("PUT", std::string(key), {}, b, {}));
        if (r.status != 200) return StatusError(r, "put " + std::string(key));
        return {};
    }

    core::Result<std::string> Get(std::string_view key) override {
        if (!IsValidKey(key)) return Error::Invalid("object store: invalid key");
        BEACON_TRY(r, Send("GET", std::string(key), {}, {}, {}));
        if (r.status != 200) return StatusError(r, "get " + std::string(key));
        return std::move(r.body);
    }

    core::Result<std::string> GetRange(std::string_view key, std::int64_t offset,
                                       std::int64_t length) override {
        if (!IsValidKey(key)) return Error::Invalid("object store: invalid key");
        if (offset < 0 || length < 0) return Error::Invalid("object store: bad range");
        if (length == 0) return std::string();
        const std::string range =
            "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
        BEACON_TRY(r, Send("GET", std::string(key), {}, {}, {{"Range", range}}));
        if (r.status == 416) return std::string();  // the range starts past the end
        if (r.status == 206) return std::move(r.body);
        if (r.status == 200) {  // a server that ignores Range sends everything
            if (offset >= static_cast<std::int64_t>(r.body.size())) return std::string();
            return r.body.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
        }
        return StatusError(r, "get " + std::string(key));
    }

    bool Exists(std::string_view key) override {
        if (!IsValidKey(key)) return false;
        auto r = Send("HEAD", std::string(key), {}, {}, {});
        return r.ok() && r->status == 200;
    }

    core::Result<std::int64_t> Size(std::string_view key) override {
        if (!IsValidKey(key)) return Error::Invalid("object store: invalid key");
        BEACON_TRY(r, Send("HEAD", std::string(key), {}, {}, {}));
        if (r.status != 200) return StatusError(r, "head " + std::string(key));
        auto it = r.headers.find("content-length");
        if (it == r.headers.end()) return Error::External("S3: HEAD without Content-Length");
        return static_cast<std::int64_t>(std::stoll(it->second));
    }

    core::Status Delete(std::string_view key_or_prefix) override {
        std::string k(key_or_prefix);
        const bool prefix = !k.empty() && k.back() == '/';
        std::string check = prefix ? k.substr(0, k.size() - 1) : k;
        if (!IsValidKey(check)) return Error::Invalid("object store: invalid key");
        if (!prefix) return DeleteOne(k);
        BEACON_TRY(keys, List(k));
        for (const auto& key : keys) BEACON_CHECK(DeleteOne(key));
        return {};
    }

    fs::path LocalPath(std::string_view) override { return {}; }

    /// Every object under `prefix` (ListObjectsV2, page by page) with its size and ETag.
    core::Result<std::vector<S3Object>> ListObjects(const std::string& prefix) {
        std::vector<S3Object> out;
        std::string token;
        for (int page = 0; page < 100000; ++page) {
            std::vector<std::pair<std::string, std::string>> q = {{"list-type", "2"},
                                                                  {"prefix", prefix}};
            if (!token.empty()) q.emplace_back("continuation-token", token);
            BEACON_TRY(r, Send("GET", "", q, {}, {}));
            if (r.status != 200) return StatusError(r, "list " + prefix);
            for (std::size_t pos = 0;;) {
                const auto start = r.body.find("<Contents>", pos);
                if (start == std::string::npos) break;
                const auto end = r.body.find("</Contents>", start);
                if (end == std::string::npos) break;
                const std::string item = r.body.substr(start, end - start);
                pos = end;
                S3Object o;
                o.key = XmlField(item, "Key");
                if (o.key.empty()) continue;
                const std::string size = XmlField(item, "Size");
                o.size = size.empty() ? 0 : std::stoll(size);
                o.etag = XmlField(item, "ETag");
                std::erase(o.etag, '"');
                out.push_back(std::move(o));
            }
            if (XmlField(r.body, "IsTruncated") != "true") break;
            token = XmlField(r.body, "NextContinuationToken");
            if (token.empty()) break;
        }
        return out;
    }

    /// CopyObject within the bucket (x-amz-copy-source, signed like every x-amz- header).
    core::Status Copy(std::string_view from, std::string_view to) {
        if (!IsValidKey(from) || !IsValidKey(to)) return Error::Invalid("object store: invalid key");
        const std::string source = "/" + o_.bucket + "/" + s3::UriEncode(from, true);
        BEACON_TRY(r, Send("PUT", std::string(to), {}, {}, {{"x-amz-copy-source", source}}));
        // S3 may answer 200 and still fail, with an <Error> body.
        if (r.status != 200 || r.body.find("<Error>") != std::string::npos) {
            return StatusError(r, "copy " + std::string(from) + " to " + std::string(to));
        }
        return {};
    }

private:
    /// A multipart upload of `total` bytes that `read(offset, length)` hands out part by part.
    /// Any failure aborts the upload: the parts sent are discarded and no object appears.
    core::Status Multipart(const std::string& key, std::int64_t total,
                           const std::function<core::Result<std::string>(std::int64_t,
                                                                         std::int64_t)>& read) {
        BEACON_TRY(init, Send("POST", key, {{"uploads", ""}}, {}, {}));
        if (init.status != 200) return StatusError(init, "start multipart upload of " + key);
        const std::string upload_id = XmlField(init.body, "UploadId");
        if (upload_id.empty()) return Error::External("S3: no UploadId for " + key);
        auto failed = [&](const Error& e) -> core::Status {
            Abort(key, upload_id);
            return e;
        };
        const std::int64_t part_size = std::max(o_.part_size, kMinPartBytes);
        std::string complete = "<CompleteMultipartUpload>";
        int number = 0;
        for (std::int64_t off = 0; off < total; off += part_size) {
            ++number;
            if (o_.before_part) {
                if (auto st = o_.before_part(number); !st.ok()) return failed(st.error());
            }
            auto bytes = read(off, std::min(part_size, total - off));
            if (!bytes.ok()) return failed(bytes.error());
            Body b;
            b.bytes = *bytes;
            auto r = Send("PUT", key,
                          {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}}, b, {});
            if (!r.ok()) return failed(r.error());
            if (r->status != 200) {
                return failed(StatusError(*r, "part " + std::to_string(number) + " of " + key));
            }
            complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                        r->headers["etag"] + "</ETag></Part>";
        }
        complete += "</CompleteMultipartUpload>";
        Body b;
        b.bytes = complete;
        auto done = Send("POST", key, {{"uploadId", upload_id}}, b, {});
        if (!done.ok()) return failed(done.error());
        // S3 may answer 200 and still fail, with an <Error> body.
        if (done->status != 200 || done->body.find("<Error>") != std::string::npos) {
            return failed(StatusError(*done, "complete multipart upload of " + key));
        }
        return {};
    }

    /// AbortMultipartUpload; a failure to abort is said (the parts then wait for the bucket's
    /// lifecycle rule), the upload's own error is what the caller gets.
    void Abort(const std::string& key, const std::string& upload_id) {
        auto r = Send("DELETE", key, {{"uploadId", upload_id}}, {}, {});
        if (r.ok() && (r->status == 204 || r->status == 200 || r->status == 404)) return;
        std::cerr << "beacon: S3: cannot abort the multipart upload of " << key << " ("
                  << (r.ok() ? "HTTP " + std::to_string(r->status) : r.error().message)
                  << "); its parts stay in the bucket until a lifecycle rule removes them\n";
    }

    core::Status DeleteOne(const std::string& key) {
        BEACON_TRY(r, Send("DELETE", key, {}, {}, {}));
        if (r.status == 204 || r.status == 200 || r.status == 404) return {};
        return StatusError(r, "delete " + key);
    }

    /// Every key under `prefix` (ListObjectsV2, page by page).
    core::Result<std::vector<std::string>> List(const std::string& prefix) {
        std::vector<std::string> keys;
        std::string token;
        for (int page = 0; page < 100000; ++page) {
            std::vector<std::pair<std::string, std::string>> q = {{"list-type", "2"},
                                                                  {"prefix", prefix}};
            if (!token.empty()) q.emplace_back("continuation-token", token);
            BEACON_TRY(r, Send("GET", "", q, {}, {}));
            if (r.status != 200) return StatusError(r, "list " + prefix);
            std::size_t pos = 0;
            for (;;) {
                std::string key = XmlField(r.body, "Key", &pos);
                if (key.empty()) break;
                keys.push_back(std::move(key));
            }
            if (XmlField(r.body, "IsTruncated") != "true") break;
            token = XmlField(r.body, "NextContinuationToken");
            if (token.empty()) break;
        }
        return keys;
    }

    Error StatusError(const Response& r, const std::string& what) const {
        const std::string code = XmlField(r.body, "Code");
        const std::string text = "S3 " + what + ": HTTP " + std::to_string(r.status) +
                                 (code.empty() ? "" : " " + code);
        if (r.status == 404) return Error::NotFound("object not found: " + what);
        if (r.status == 401 || r.status == 403) return Error::External(text + " (check the keys)");
        if (r.status >= 500) return Error::Unavailable(text);
        return Error::External(text);
    }

    /// One signed request, retried after a connection error or a 5xx.
    core::Result<Response> Send(const std::string& method, const std::string& key,
                                const std::vector<std::pair<std::string, std::string>>& query,
                                const Body& body,
                                const std::vector<std::pair<std::string, std::string>>& extra) {
        std::string payload_hash;
        std::int64_t file_size = 0;
        if (body.file) {
            BEACON_TRY(h, FileSha256(*body.file, &file_size));
            payload_hash = h;
        } else {
            payload_hash = s3::Sha256Hex(body.bytes);
        }
        core::Result<Response> last = Error::Unavailable("S3: no attempt made");
        for (int attempt = 0; attempt <= o_.retries; ++attempt) {
            if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 << (2 * attempt)));
            last = SendOnce(method, key, query, body, file_size, payload_hash, extra);
            if (last.ok() && last->status < 500) return last;
        }
        return last;
    }

    core::Result<Response> SendOnce(const std::string& method, const std::string& key,
                                    const std::vector<std::pair<std::string, std::string>>& query,
                                    const Body& body, std::int64_t file_size,
                                    const std::string& payload_hash,
                                    const std::vector<std::pair<std::string, std::string>>& extra) {
        std::string host = o_.path_style ? host_ : o_.bucket + "." + host_;
        std::string uri = o_.path_style ? "/" + o_.bucket : "";
        if (!key.empty()) {
            uri += "/" + s3::UriEncode(key, true);
        } else if (uri.empty()) {
            uri = "/";
        }
        auto q = query;
        std::sort(q.begin(), q.end());
        std::string canonical_query;
        for (const auto& [k, v] : q) {
            if (!canonical_query.empty()) canonical_query += '&';
            canonical_query += s3::UriEncode(k, false) + "=" + s3::UriEncode(v, false);
        }
        const std::string amz_date = AmzDate();
        std::vector<std::pair<std::string, std::string>> signed_headers = {
            {"host", host}, {"x-amz-content-sha256", payload_hash}, {"x-amz-date", amz_date}};
        // S3 wants every x-amz- header signed (CopyObject's x-amz-copy-source).
        for (const auto& [k, v] : extra) {
            if (k.starts_with("x-amz-")) signed_headers.emplace_back(k, v);
        }
        const std::string auth = s3::Authorization(o_, method, uri, canonical_query,
                                                   signed_headers, payload_hash, amz_date);
        std::string url = scheme_ + "://" + host + uri;
        if (!canonical_query.empty()) url += "?" + canonical_query;

        CURL* c = curl_easy_init();
        if (!c) return Error::Internal("S3: curl_easy_init failed");
        curl_slist* hdrs = nullptr;
        hdrs = curl_slist_append(hdrs, ("Host: " + host).c_str());
        hdrs = curl_slist_append(hdrs, ("x-amz-content-sha256: " + payload_hash).c_str());
        hdrs = curl_slist_append(hdrs, ("x-amz-date: " + amz_date).c_str());
        hdrs = curl_slist_append(hdrs, ("Authorization: " + auth).c_str());
        hdrs = curl_slist_append(hdrs, "Expect:");
        if (method == "POST") hdrs = curl_slist_append(hdrs, "Content-Type: application/xml");
        for (const auto& [k, v] : extra) hdrs = curl_slist_append(hdrs, (k + ": " + v).c_str());
        Response resp;
        Upload up;
        up.bytes = body.bytes;
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, o_.timeout_seconds);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);
        if (method == "HEAD") {
            curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (method == "PUT") {
            if (body.file) {
                up.file = std::fopen(body.file->c_str(), "rb");
                if (!up.file) {
                    curl_slist_free_all(hdrs);
                    curl_easy_cleanup(c);
                    return Error::Unavailable("object store: cannot read " + body.file->string(), false);
                }
            }
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadBody);
            curl_easy_setopt(c, CURLOPT_READDATA, &up);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                             static_cast<curl_off_t>(body.file ? file_size
                                                               : static_cast<std::int64_t>(body.bytes.size())));
        } else if (method == "POST") {
            // Multipart start (no body) and completion (the parts' XML).
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.bytes.empty() ? "" : body.bytes.data());
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(body.bytes.size()));
        } else if (method != "GET") {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
        }
        if (o_.on_request) {
            o_.on_request(method, key,
                          body.file ? file_size : static_cast<std::int64_t>(body.bytes.size()));
        }
        const CURLcode rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
        if (up.file) std::fclose(up.file);
        curl_slist_free_all(hdrs);
        curl_easy_cleanup(c);
        if (rc != CURLE_OK) {
            return Error::Unavailable("S3 " + method + " " + scheme_ + "://" + host + uri + ": " +
                                      curl_easy_strerror(rc));
        }
        return resp;
    }

    S3Options o_;
    std::string scheme_;
    std::string host_;
};

}  // namespace

core::Result<std::unique_ptr<ObjectStore>> OpenS3Store(const S3Options& options) {
    if (options.endpoint.empty() || options.bucket.empty()) {
        return Error::Invalid("S3 store: endpoint and bucket are required");
    }
    static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!curl_ready) return Error::Internal("S3 store: curl_global_init failed");
    auto store = std::make_unique<S3Store>(options);
    BEACON_CHECK(store->EnsureBucket());
    return std::unique_ptr<ObjectStore>(std::move(store));
}

core::Result<std::vector<S3Object>> ListS3Objects(ObjectStore& store, std::string_view prefix) {
    auto* s3 = dynamic_cast<S3Store*>(&store);
    if (!s3) return Error::Invalid("not an S3 store");
    return s3->ListObjects(std::string(prefix));
}

core::Status CopyS3Object(ObjectStore& store, std::string_view from, std::string_view to) {
    auto* s3 = dynamic_cast<S3Store*>(&store);
    if (!s3) return Error::Invalid("not an S3 store");
    return s3->Copy(from, to);
}

}  // namespace beacon::storage
