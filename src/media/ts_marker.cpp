#include "media/ts_marker.hpp"

#include <cstring>
#include <set>

namespace beacon::media {

MarkResult MarkDiscontinuity(std::string& ts) {
    constexpr std::size_t kPacket = 188;
    MarkResult r;
    if (ts.empty() || ts.size() % kPacket != 0) return r;
    for (std::size_t i = 0; i < ts.size(); i += kPacket) {
        if (static_cast<unsigned char>(ts[i]) != 0x47) return r;
    }
    std::set<int> seen;
    for (std::size_t i = 0; i < ts.size(); i += kPacket) {
        auto* p = reinterpret_cast<unsigned char*>(ts.data() + i);
        const int pid = ((p[1] & 0x1f) << 8) | p[2];
        if (pid == 0x1fff || !seen.insert(pid).second) continue;
        const int afc = (p[3] >> 4) & 3;
        const bool has_adaptation = afc & 2;
        const bool has_payload = afc & 1;
        if (has_adaptation && p[4] > 0) {
            p[5] |= 0x80;
            ++r.marked;
            continue;
        }
        // Room for an adaptation field: the payload must end in PSI stuffing.
        const std::size_t need = has_adaptation ? 1 : 2;  // grow length 0 → 1, or add 2 bytes
        const std::size_t start = has_adaptation ? 5 : 4;
        bool room = has_payload;
        for (std::size_t k = kPacket - need; room && k < kPacket; ++k) room = p[k] == 0xff;
        if (!room) {
            ++r.unmarked;
            continue;
        }
        std::memmove(p + start + need, p + start, kPacket - start - need);
        p[3] = static_cast<unsigned char>(p[3] | 0x20);  // adaptation field present
        p[4] = 1;
        p[5] = 0x80;
        ++r.marked;
    }
    return r;
}

}  // namespace beacon::media
