#include "support/postgres_cluster.hpp"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace beacon::testing {

namespace fs = std::filesystem;
using core::Error;

namespace {

int FreePort() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        port = ntohs(a.sin_port);
    }
    ::close(s);
    return port;
}

fs::path FindBin() {
    if (const char* env = std::getenv("BEACON_PG_BIN"); env && *env) return env;
    fs::path best;
    int best_version = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        int v = std::atoi(e.path().filename().c_str());
        if (v > best_version && fs::exists(e.path() / "bin" / "initdb")) {
            best_version = v;
            best = e.path() / "bin";
        }
    }
    return best;
}

std::string Quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

std::string ReadTail(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

}  // namespace

core::Result<std::unique_ptr<PostgresCluster>> PostgresCluster::Start() {
    std::unique_ptr<PostgresCluster> c(new PostgresCluster());
    c->bin_ = FindBin();
    if (c->bin_.empty()) {
        return Error::Unavailable(
            "PostgreSQL server binaries not found (install Debian's postgresql-15, or set "
            "BEACON_PG_BIN)", false);
    }
    std::random_device rd;
    c->dir_ = fs::temp_directory_path() /
              ("beacon-pg-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 100000));
    fs::create_directories(c->dir_);
    if (::geteuid() == 0) {
        passwd* nobody = ::getpwnam("nobody");
        if (nobody == nullptr) return Error::Unavailable("running as root and no user 'nobody'", false);
        if (::chown(c->dir_.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
            return Error::Unavailable("cannot chown " + c->dir_.string(), false);
        }
        c->run_as_ = "runuser -u nobody -- ";
    }
    const fs::path data = c->dir_ / "data";
    const fs::path log = c->dir_ / "server.log";
    std::string initdb = c->run_as_ + Quote((c->bin_ / "initdb").string()) + " -D " +
                         Quote(data.string()) + " -A trust -U beacon -E UTF8 --no-sync " +
                         "--no-instructions > " + Quote((c->dir_ / "initdb.log").string()) + " 2>&1";
    if (std::system(initdb.c_str()) != 0) {
        return Error::Unavailable("initdb failed: " + ReadTail(c->dir_ / "initdb.log"), false);
    }
    // A port another process takes between FreePort and the bind fails the start: try again.
    for (int attempt = 0; attempt < 5 && !c->started_; ++attempt) {
        c->port_ = FreePort();
        std::string opts = "-c listen_addresses=127.0.0.1 -p " + std::to_string(c->port_) +
                           " -c unix_socket_directories= -c fsync=off -c synchronous_commit=off "
                           "-c full_page_writes=off -c max_connections=200";
        std::string start = c->run_as_ + Quote((c->bin_ / "pg_ctl").string()) + " -D " +
                            Quote(data.string()) + " -l " + Quote(log.string()) + " -w -t 60 -o " +
                            Quote(opts) + " start > /dev/null 2>&1";
        c->started_ = std::system(start.c_str()) == 0;
    }
    if (!c->started_) return Error::Unavailable("postgres did not start: " + ReadTail(log), false);
    return c;
}

core::Result<PostgresCluster*> PostgresCluster::Shared() {
    static std::unique_ptr<PostgresCluster> shared;
    static std::string failure;
    if (!shared && failure.empty()) {
        auto c = Start();
        if (c.ok()) {
            shared = std::move(c).value();
        } else {
            failure = c.error().message;
        }
    }
    if (!shared) return Error::Unavailable(failure, false);
    return shared.get();
}

PostgresCluster::~PostgresCluster() {
    if (started_) {
        std::string stop = run_as_ + Quote((bin_ / "pg_ctl").string()) + " -D " +
                           Quote((dir_ / "data").string()) + " -m immediate -w stop > /dev/null 2>&1";
        (void)std::system(stop.c_str());
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string PostgresCluster::Url(const std::string& database) const {
    return "postgresql://beacon@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

core::Status PostgresCluster::CreateDatabase(const std::string& name) {
    PGconn* conn = PQconnectdb(Url("postgres").c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(conn);
        PQfinish(conn);
        return Error::Unavailable("cannot connect to the test cluster: " + msg, false);
    }
    PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string msg = ok ? "" : PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
    if (!ok) return Error::Internal("CREATE DATABASE " + name + ": " + msg);
    return {};
}

}  // namespace beacon::testing
