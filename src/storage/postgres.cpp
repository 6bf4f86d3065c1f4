#include "storage/postgres.hpp"

#include <charconv>
#include <cstdlib>

#include <libpq-fe.h>

namespace beacon::storage::pg {

using core::Error;
using core::ErrorCode;

Params& Params::Add(std::int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
}
Params& Params::Add(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    values_.emplace_back(ec == std::errc() ? std::string(buf, end) : std::string("0"));
    return *this;
}
Params& Params::Add(bool v) {
    values_.emplace_back(v ? "true" : "false");
    return *this;
}
Params& Params::Add(std::string_view v) {
    values_.emplace_back(std::string(v));
    return *this;
}
Params& Params::Add(std::optional<std::int64_t> v) { return v ? Add(*v) : AddNull(); }
Params& Params::AddNull() {
    values_.emplace_back(std::nullopt);
    return *this;
}

Rows::Rows(pg_result* r) : r_(r) {}
Rows::Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
Rows& Rows::operator=(Rows&& o) noexcept {
    if (this != &o) {
        if (r_) PQclear(r_);
        r_ = o.r_;
        o.r_ = nullptr;
    }
    return *this;
}
Rows::~Rows() {
    if (r_) PQclear(r_);
}
int Rows::size() const { return r_ ? PQntuples(r_) : 0; }
int Rows::columns() const { return r_ ? PQnfields(r_) : 0; }
std::int64_t Rows::affected() const {
    if (!r_) return 0;
    const char* n = PQcmdTuples(r_);
    return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}
std::int64_t Rows::Int(int row, int col) const {
    const char* v = PQgetvalue(r_, row, col);
    if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean read as a number
    if (v[0] == 'f' && v[1] == '\0') return 0;
    return std::strtoll(v, nullptr, 10);
}
double Rows::Double(int row, int col) const { return std::strtod(PQgetvalue(r_, row, col), nullptr); }
bool Rows::Bool(int row, int col) const {
    const char* v = PQgetvalue(r_, row, col);
    return v[0] == 't' || (v[0] >= '1' && v[0] <= '9');
}
std::string Rows::Text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
}
bool Rows::IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
std::optional<std::int64_t> Rows::OptInt(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return Int(row, col);
}

core::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
    PGconn* c = PQconnectdb(url.c_str());
    if (c == nullptr || PQstatus(c) != CONNECTION_OK) {
        std::string msg = c ? PQerrorMessage(c) : "out of memory";
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        if (c) PQfinish(c);
        return Error::Unavailable("cannot connect to PostgreSQL at " + RedactUrl(url) + ": " + msg);
    }
    // Notices (e.g. "relation already exists, skipping") are not errors; keep stderr quiet.
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    return std::unique_ptr<Connection>(new Connection(c));
}

Connection::~Connection() {
    if (conn_) PQfinish(conn_);
}

void Connection::ResetIfBroken() {
    if (PQstatus(conn_) == CONNECTION_OK) return;
    PQreset(conn_);
    prepared_.clear();
}

/// SQLSTATE → Error. A constraint is a conflict; a server that cannot serve right now
/// (connection lost, shutting down, disk full, deadlock, serialization) is kUnavailable and
/// retryable, so the API answers 503; anything else (a bad statement) is internal.
Error Connection::ErrorFrom(pg_result* r, std::string_view what) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string text = std::string("database: ") + std::string(what) + ": " +
                       (r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    std::string_view s = state ? state : "";
    Error e;
    if (s.starts_with("23")) {
        e = Error{ErrorCode::kConflict, text, false};
    } else if (s == "53100") {
        e = Error{ErrorCode::kUnavailable, text + " (disk full)", true};
    } else if (s.empty() || s.starts_with("08") || s.starts_with("57") || s.starts_with("53") ||
               s == "40001" || s == "40P01") {
        e = Error{ErrorCode::kUnavailable, text, true};
    } else {
        e = Error{ErrorCode::kInternal, text, false};
    }
    ResetIfBroken();
    return e;
}

core::Result<Rows> Connection::Query(std::string_view sql, const Params& params) {
    std::string key(sql);
    auto it = prepared_.find(key);
    if (it == prepared_.end()) {
        std::string name = "b" + std::to_string(prepared_.size() + 1);
        PGresult* prep = PQprepare(conn_, name.c_str(), key.c_str(), 0, nullptr);
        if (prep == nullptr || PQresultStatus(prep) != PGRES_COMMAND_OK) {
            Error e = ErrorFrom(prep, "cannot prepare statement");
            if (prep) PQclear(prep);
            return e;
        }
        PQclear(prep);
        it = prepared_.emplace(key, name).first;
    }
    const auto& values = params.values();
    std::vector<const char*> ptrs;
    ptrs.reserve(values.size());
    for (const auto& v : values) ptrs.push_back(v ? v->c_str() : nullptr);
    PGresult* r = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(ptrs.size()),
                                 ptrs.data(), nullptr, nullptr, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        Error e = ErrorFrom(r, "query failed");
        if (r) PQclear(r);
        return e;
    }
    return Rows(r);
}

core::Status Connection::Exec(std::string_view sql) {
    std::string text(sql);
    PGresult* r = PQexec(conn_, text.c_str());
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        Error e = ErrorFrom(r, "statement failed");
        if (r) PQclear(r);
        return e;
    }
    PQclear(r);
    return {};
}

std::string RedactUrl(std::string_view url) {
    // scheme://user:password@host/... → scheme://user:***@host/...
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return std::string(url);
    auto at = url.find('@', scheme + 3);
    if (at == std::string_view::npos) return std::string(url);
    auto colon = url.find(':', scheme + 3);
    if (colon == std::string_view::npos || colon > at) return std::string(url);
    return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace beacon::storage::pg
