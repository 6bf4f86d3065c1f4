#pragma once
/// A throwaway PostgreSQL cluster for tests: initdb + postgres from Debian's postgresql package
/// in a temporary folder, listening on 127.0.0.1 on a free port (no Unix socket, fsync off).
/// PostgreSQL refuses to run as root, so as root the server runs as the user `nobody`.
#include <filesystem>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace beacon::testing {

class PostgresCluster {
public:
    /// Starts a cluster. The binaries are taken from $BEACON_PG_BIN, else the newest
    /// /usr/lib/postgresql/<version>/bin.
    static core::Result<std::unique_ptr<PostgresCluster>> Start();
    /// The cluster started on first use and stopped when the test binary exits (one per binary,
    /// so that test cases share its start-up cost).
    static core::Result<PostgresCluster*> Shared();
    ~PostgresCluster();  // stops the server and removes its folder
    PostgresCluster(const PostgresCluster&) = delete;
    PostgresCluster& operator=(const PostgresCluster&) = delete;

    /// postgresql://beacon@127.0.0.1:PORT/<database>
    std::string Url(const std::string& database) const;
    /// Creates an empty database (names: [a-z0-9_]).
    core::Status CreateDatabase(const std::string& name);
    int port() const { return port_; }

private:
    PostgresCluster() = default;
    std::filesystem::path dir_;
    std::filesystem::path bin_;
    std::string run_as_;  // "runuser -u nobody -- " as root, else empty
    int port_ = 0;
    bool started_ = false;
};

}  // namespace beacon::testing
