#pragma once
#include <string>

namespace beacon::server {

/// One step of an endless response body (e.g. /live/<slug>/stream.ts): bytes to send now, or
/// how long to wait before asking again, or the end of the body.
struct BodyChunk {
    std::string bytes;
    int wait_ms = 0;
    bool end = false;
};

}  // namespace beacon::server
