// TLS on the listener (issue 19, item 7), in-process: certificates made by the openssl CLI,
// clients are curl (trusting the test CA or not) and the plain-HTTP test client.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "server_test_client.hpp"
#include "storage/object_store.hpp"

namespace beacon::server::testing {
namespace {

namespace fs = std::filesystem;

struct ShellRun {
    int status = -1;
    std::string out;  // stdout and stderr together
};

/// Runs a shell command with a clean environment (no CA bundle overrides).
ShellRun Shell(const std::string& cmd) {
    ShellRun r;
    std::string full = "env -i PATH=/usr/bin:/bin " + cmd + " 2>&1";
    FILE* p = ::popen(full.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf;
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
    int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

/// ca.pem, and server1 (CN beacon-one) / server2 (CN beacon-two) .pem/.key for 127.0.0.1.
void MakeCerts(const fs::path& d) {
    fs::create_directories(d);
    const std::string in = "cd '" + d.string() + "' && ";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
    auto ok = [](const ShellRun& r) { ASSERT_EQ(r.status, 0) << r.out; };
    ok(Shell("sh -c \"" + in + "openssl req -x509" + ec +
             "-keyout ca.key -out ca.pem -days 2 -subj '/CN=Beacon Test CA'\""));
    std::ofstream(d / "san.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    for (const char* name : {"server1", "server2"}) {
        std::string n = name;
        std::string cn = n == "server1" ? "beacon-one" : "beacon-two";
        ok(Shell("sh -c \"" + in + "openssl req" + ec + "-keyout " + n + ".key -out " + n +
                 ".csr -subj /CN=" + cn + "\""));
        ok(Shell("sh -c \"" + in + "openssl x509 -req -in " + n + ".csr -CA ca.pem -CAkey ca.key" +
                 " -CAcreateserial -out " + n + ".pem -days 2 -extfile san.cnf\""));
    }
}

class TlsTest : public ServerFixture {
protected:
    void Configure(ServerOptions& o, ServerDeps&) override {
        certs_ = dir_ / "certs";
        MakeCerts(certs_);
        fs::copy_file(certs_ / "server1.pem", dir_ / "tls.pem");
        fs::copy_file(certs_ / "server1.key", dir_ / "tls.key");
        o.tls_cert = dir_ / "tls.pem";
        o.tls_key = dir_ / "tls.key";
    }
    std::string Url(const std::string& path) const {
        return "https://127.0.0.1:" + std::to_string(port_) + path;
    }
    ShellRun Curl(const std::string& args) {
        return Shell("curl -sS --max-time 20 " + args);
    }
    std::string CaArg() const { return "--cacert '" + (certs_ / "ca.pem").string() + "' "; }
    fs::path certs_;
};

TEST_F(TlsTest, AClientTrustingTheCaGetsAnswersWithHsts) {
    ShellRun r = Curl(CaArg() + "-D - " + Url("/healthz"));
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out.rfind("HTTP/1.1 200", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("Strict-Transport-Security: max-age="), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(R"({"status":"ok"})"), std::string::npos) << r.out;
}

TEST_F(TlsTest, SignInOverTlsSetsASecureCookie) {
    ShellRun r = Curl(CaArg() + "-D - -H 'Content-Type: application/json' --data " +
                      "'{\"password\":\"correct horse battery\"}' " + Url("/api/v1/auth/setup"));
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("HTTP/1.1 200"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("; Secure"), std::string::npos) << r.out;
}

TEST_F(TlsTest, AClientWithoutTheCaRefusesTheCertificate) {
    ShellRun r = Curl("-o /dev/null " + Url("/healthz"));
    EXPECT_EQ(r.status, 60) << r.out;  // curl: peer certificate cannot be authenticated
}

TEST_F(TlsTest, PlainHttpToTheTlsPortGets400NamingHttpsAndIsClosed) {
    auto r = Get("/healthz");  // the plain-HTTP test client
    EXPECT_EQ(r.status, 400u) << r.body;
    EXPECT_NE(r.body.find("https://"), std::string::npos) << r.body;
    EXPECT_EQ(r.Header("connection"), "close");
}

TEST_F(TlsTest, ReloadServesTheNewCertificateToTheNextConnection) {
    auto subject = [this] {
        return Curl("-v -o /dev/null " + CaArg() + Url("/healthz")).out;
    };
    EXPECT_NE(subject().find("CN=beacon-one"), std::string::npos);
    fs::copy_file(certs_ / "server2.pem", dir_ / "tls.pem", fs::copy_options::overwrite_existing);
    fs::copy_file(certs_ / "server2.key", dir_ / "tls.key", fs::copy_options::overwrite_existing);
    auto st = server_->ReloadTls();
    ASSERT_TRUE(st.ok()) << st.error().message;
    std::string after = subject();
    EXPECT_NE(after.find("CN=beacon-two"), std::string::npos) << after;
    // A broken file is refused and the current certificate stays.
    std::ofstream(dir_ / "tls.pem", std::ios::trunc) << "not a certificate\n";
    EXPECT_FALSE(server_->ReloadTls().ok());
    std::string kept = subject();
    EXPECT_NE(kept.find("CN=beacon-two"), std::string::npos) << kept;
}

class RefusalTest : public ::testing::Test {
protected:
    core::Status StartOn(const std::string& host, bool allow, const fs::path& cert = {},
                         const fs::path& key = {}) {
        ServerOptions o;
        o.listen = {host, 0};
        o.allow_insecure_remote = allow;
        o.tls_cert = cert;
        o.tls_key = key;
        auto db = storage::OpenSqlite(":memory:");
        if (!db.ok()) return db.error();
        db_ = std::move(*db);
        auto dir = fs::temp_directory_path() / ("beacon-refusal-" + std::to_string(::getpid()));
        auto store = storage::OpenFilesystemStore(dir);
        if (!store.ok()) return store.error();
        store_ = std::move(*store);
        Server s(ServerDeps{*db_, *store_, events_}, o);
        return s.Start();
    }
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<storage::ObjectStore> store_;
    jobs::EventBus events_;
};

TEST_F(RefusalTest, PlainHttpBeyondTheLanIsRefusedUnlessAllowed) {
    // 203.0.113.7 (TEST-NET-3) is neither loopback nor a private range.
    auto refused = StartOn("203.0.113.7", false);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("allow_insecure_remote"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("tls_cert"), std::string::npos);
    // Allowed: it gets as far as binding (which fails: not this machine's address).
    auto allowed = StartOn("203.0.113.7", true);
    ASSERT_FALSE(allowed.ok());
    EXPECT_EQ(allowed.error().message.find("allow_insecure_remote"), std::string::npos)
        << allowed.error().message;
    EXPECT_NE(allowed.error().message.find("cannot listen"), std::string::npos);
    // Loopback and LAN ranges need no TLS.
    EXPECT_TRUE(StartOn("127.0.0.1", false).ok());
}

}  // namespace
}  // namespace beacon::server::testing
