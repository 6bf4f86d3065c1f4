#include "media/ts_rewrite.hpp"

#include <cstddef>
#include <cstring>
#include <vector>

namespace beacon::media {
namespace {

constexpr std::size_t kPacket = 188;
using core::Error;

bool Aligned(std::string_view ts) {
    if (ts.size() % kPacket != 0) return false;
    for (std::size_t i = 0; i < ts.size(); i += kPacket) {
        if (static_cast<unsigned char>(ts[i]) != 0x47) return false;
    }
    return true;
}

int Pid(const unsigned char* p) { return ((p[1] & 0x1f) << 8) | p[2]; }

/// Where the payload starts in a packet (kPacket when it has none or the adaptation field is
/// malformed).
std::size_t PayloadStart(const unsigned char* p) {
    const int afc = (p[3] >> 4) & 3;
    if (!(afc & 1)) return kPacket;
    if (!(afc & 2)) return 4;
    const std::size_t start = 5 + static_cast<std::size_t>(p[4]);
    return start <= kPacket ? start : kPacket;
}

std::int64_t ReadTimestamp(const unsigned char* b) {
    return (static_cast<std::int64_t>((b[0] >> 1) & 0x07) << 30) |
           (static_cast<std::int64_t>(b[1]) << 22) |
           (static_cast<std::int64_t>(b[2] >> 1) << 15) |
           (static_cast<std::int64_t>(b[3]) << 7) | (static_cast<std::int64_t>(b[4]) >> 1);
}

/// Writes a 33-bit timestamp keeping the 4-bit prefix and the marker bits.
void WriteTimestamp(unsigned char* b, std::int64_t v) {
    b[0] = static_cast<unsigned char>((b[0] & 0xf0) | ((v >> 29) & 0x0e) | 0x01);
    b[1] = static_cast<unsigned char>((v >> 22) & 0xff);
    b[2] = static_cast<unsigned char>(((v >> 14) & 0xfe) | 0x01);
    b[3] = static_cast<unsigned char>((v >> 7) & 0xff);
    b[4] = static_cast<unsigned char>(((v << 1) & 0xfe) | 0x01);
}

bool HasOptionalPesHeader(unsigned char stream_id) {
    switch (stream_id) {
        case 0xbc: case 0xbe: case 0xbf: case 0xf0: case 0xf1: case 0xff: case 0xf2: case 0xf8:
            return false;
        default:
            return true;
    }
}

}  // namespace

std::int64_t AddClock(std::int64_t a, std::int64_t b) {
    std::int64_t r = (a + b) % kTsClockWrap;
    return r < 0 ? r + kTsClockWrap : r;
}

core::Result<TsContinuity> ScanContinuity(std::string_view ts) {
    if (!Aligned(ts)) return Error::Invalid("TS: not whole 188-byte packets with sync bytes");
    TsContinuity c;
    for (std::size_t i = 0; i < ts.size(); i += kPacket) {
        const auto* p = reinterpret_cast<const unsigned char*>(ts.data() + i);
        const int pid = Pid(p);
        if (pid == 0x1fff || !((p[3] >> 4) & 1)) continue;
        const auto cc = static_cast<std::int8_t>(p[3] & 0x0f);
        if (c.first[static_cast<std::size_t>(pid)] < 0) c.first[static_cast<std::size_t>(pid)] = cc;
        c.last[static_cast<std::size_t>(pid)] = cc;
    }
    return c;
}

core::Result<TsShiftStats> ShiftTs(std::string& ts, const TsShift& shift) {
    if (!Aligned(ts)) return Error::Invalid("TS: not whole 188-byte packets with sync bytes");
    // Validate every PES header first so that a malformed segment is left untouched.
    for (std::size_t i = 0; i < ts.size(); i += kPacket) {
        const auto* p = reinterpret_cast<const unsigned char*>(ts.data() + i);
        if (!(p[1] & 0x40)) continue;
        const std::size_t at = PayloadStart(p);
        if (at + 3 > kPacket || p[at] != 0 || p[at + 1] != 0 || p[at + 2] != 1) continue;
        if (at + 9 > kPacket) return Error::Invalid("TS: PES header split across packets");
        if (!HasOptionalPesHeader(p[at + 3])) continue;
        const int flags = p[at + 7] >> 6;
        const std::size_t need = flags == 3 ? 19 : flags == 2 ? 14 : 9;
        if (flags == 1) return Error::Invalid("TS: PES with a forbidden PTS_DTS_flags value");
        if (at + need > kPacket) return Error::Invalid("TS: PES header split across packets");
        if (9 + static_cast<std::size_t>(p[at + 8]) < need)
            return Error::Invalid("TS: PES header shorter than its timestamps");
    }
    TsShiftStats st;
    const std::int64_t off = AddClock(shift.clock_offset, 0);
    for (std::size_t i = 0; i < ts.size(); i += kPacket) {
        auto* p = reinterpret_cast<unsigned char*>(ts.data() + i);
        ++st.packets;
        const int pid = Pid(p);
        if (pid == 0x1fff) continue;
        const std::uint8_t add = shift.cc_add[static_cast<std::size_t>(pid)];
        if (add != 0) {
            p[3] = static_cast<unsigned char>((p[3] & 0xf0) | ((p[3] + add) & 0x0f));
        }
        const int afc = (p[3] >> 4) & 3;
        if ((afc & 2) && p[4] > 0) {
            const std::size_t len = p[4];
            if (shift.clear_discontinuity && (p[5] & 0x80)) {
                p[5] &= 0x7f;
                ++st.cleared;
            }
            if ((p[5] & 0x10) && len >= 7) {
                const std::int64_t base = (static_cast<std::int64_t>(p[6]) << 25) |
                                          (static_cast<std::int64_t>(p[7]) << 17) |
                                          (static_cast<std::int64_t>(p[8]) << 9) |
                                          (static_cast<std::int64_t>(p[9]) << 1) |
                                          (static_cast<std::int64_t>(p[10]) >> 7);
                const std::int64_t moved = AddClock(base, off);
                p[6] = static_cast<unsigned char>((moved >> 25) & 0xff);
                p[7] = static_cast<unsigned char>((moved >> 17) & 0xff);
                p[8] = static_cast<unsigned char>((moved >> 9) & 0xff);
                p[9] = static_cast<unsigned char>((moved >> 1) & 0xff);
                p[10] = static_cast<unsigned char>(((moved & 1) << 7) | (p[10] & 0x7f));
                ++st.pcrs;
            }
        }
        if (!(p[1] & 0x40)) continue;
        const std::size_t at = PayloadStart(p);
        if (at + 9 > kPacket || p[at] != 0 || p[at + 1] != 0 || p[at + 2] != 1) continue;
        if (!HasOptionalPesHeader(p[at + 3])) continue;
        const int flags = p[at + 7] >> 6;
        if (flags & 2) {
            unsigned char* pts = p + at + 9;
            WriteTimestamp(pts, AddClock(ReadTimestamp(pts), off));
            if (flags == 3) {
                unsigned char* dts = p + at + 14;
                WriteTimestamp(dts, AddClock(ReadTimestamp(dts), off));
            }
            ++st.pes_headers;
        }
    }
    return st;
}

std::array<std::uint8_t, 8192> ChainContinuity(const TsContinuity& prev_last_segment,
                                               const std::array<std::uint8_t, 8192>& prev_add,
                                               const TsContinuity& next_first_segment) {
    std::array<std::uint8_t, 8192> add{};
    for (std::size_t pid = 0; pid < add.size(); ++pid) {
        // NOLINTNEXTLINE(bugprone-signed-char-misuse): int8_t counters 0..15, -1 when absent
        const int last = prev_last_segment.last[pid];
        // NOLINTNEXTLINE(bugprone-signed-char-misuse): as above
        const int first = next_first_segment.first[pid];
        if (last < 0 || first < 0) continue;
        add[pid] = static_cast<std::uint8_t>((last + prev_add[pid] + 1 - first + 32) & 0x0f);
    }
    return add;
}

std::string ShiftWebVtt(std::string_view vtt, std::int64_t clock_offset) {
    std::string out(vtt);
    const std::size_t map = out.find("X-TIMESTAMP-MAP=");
    if (map == std::string::npos) return out;
    const std::size_t eol = out.find('\n', map);
    const std::size_t key = out.find("MPEGTS:", map);
    if (key == std::string::npos || (eol != std::string::npos && key > eol)) return out;
    std::size_t begin = key + 7;
    std::size_t end = begin;
    std::int64_t v = 0;
    while (end < out.size() && out[end] >= '0' && out[end] <= '9' && end - begin < 18) {
        v = v * 10 + (out[end] - '0');
        ++end;
    }
    if (end == begin) return out;
    out.replace(begin, end - begin, std::to_string(AddClock(v, clock_offset)));
    return out;
}

std::int64_t FirstPts(std::string_view ts, int pid) {
    for (std::size_t i = 0; i + kPacket <= ts.size(); i += kPacket) {
        const auto* p = reinterpret_cast<const unsigned char*>(ts.data() + i);
        if (p[0] != 0x47 || Pid(p) != pid || !(p[1] & 0x40)) continue;
        const std::size_t at = PayloadStart(p);
        if (at + 14 > kPacket || p[at] != 0 || p[at + 1] != 0 || p[at + 2] != 1) continue;
        if (!HasOptionalPesHeader(p[at + 3]) || !((p[at + 7] >> 6) & 2)) continue;
        return ReadTimestamp(p + at + 9);
    }
    return -1;
}

core::Result<int> DropLeadingAudio(std::string& ts, std::int64_t until_pts) {
    if (!Aligned(ts)) return Error::Invalid("TS: not whole 188-byte packets with sync bytes");
    // The first PES start whose stream_id is audio (0xC0-0xDF) with a PTS.
    int pid = -1;
    std::size_t first = 0;
    for (std::size_t i = 0; i < ts.size() && pid < 0; i += kPacket) {
        const auto* p = reinterpret_cast<const unsigned char*>(ts.data() + i);
        if (!(p[1] & 0x40)) continue;
        const std::size_t at = PayloadStart(p);
        if (at + 14 > kPacket || p[at] != 0 || p[at + 1] != 0 || p[at + 2] != 1) continue;
        if ((p[at + 3] & 0xe0) != 0xc0 || !((p[at + 7] >> 6) & 2)) continue;
        pid = Pid(p);
        first = i;
    }
    if (pid < 0) return 0;
    // Its packets: from `first` to the next payload start on the same PID.
    std::vector<std::size_t> packets;
    std::string pes;
    for (std::size_t i = first; i < ts.size(); i += kPacket) {
        const auto* p = reinterpret_cast<const unsigned char*>(ts.data() + i);
        if (Pid(p) != pid) continue;
        if (i != first && (p[1] & 0x40)) break;
        const std::size_t at = PayloadStart(p);
        if (at >= kPacket) continue;  // adaptation only: carries nothing of the PES
        packets.push_back(i);
        pes.append(reinterpret_cast<const char*>(p + at), kPacket - at);
    }
    const auto* h = reinterpret_cast<const unsigned char*>(pes.data());
    const std::size_t header = 9 + static_cast<std::size_t>(h[8]);
    if (pes.size() < header + 7) return 0;
    const std::int64_t pts = ReadTimestamp(h + 9);
    const bool has_dts = (h[7] >> 6) == 3;
    std::size_t cut = header;
    std::int64_t next_pts = pts;
    int dropped = 0;
    while (cut + 7 <= pes.size()) {
        const auto* f = reinterpret_cast<const unsigned char*>(pes.data() + cut);
        if (f[0] != 0xff || (f[1] & 0xf0) != 0xf0) break;  // not ADTS
        static constexpr int kRates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                         22050, 16000, 12000, 11025, 8000,  7350};
        const int rate_index = (f[2] >> 2) & 0x0f;
        if (rate_index > 12) break;
        const std::size_t length = (static_cast<std::size_t>(f[3] & 3) << 11) |
                                   (static_cast<std::size_t>(f[4]) << 3) | (f[5] >> 5);
        const int blocks = (f[6] & 3) + 1;
        if (length < 7 || cut + length > pes.size()) break;
        const std::int64_t duration = 1024LL * blocks * 90000 / kRates[rate_index];
        if (next_pts + duration > until_pts + 45) break;  // ends after the video starts: keep
        next_pts += duration;
        cut += length;
        ++dropped;
    }
    if (dropped == 0) return 0;
    // The new PES: same header (PTS/DTS moved to the first kept frame, length shortened).
    std::string out = pes.substr(0, header) + pes.substr(cut);
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    WriteTimestamp(o + 9, next_pts);
    if (has_dts) WriteTimestamp(o + 14, next_pts);
    const std::size_t old_length = (static_cast<std::size_t>(h[4]) << 8) | h[5];
    if (old_length != 0) {
        const std::size_t length = old_length - (cut - header);
        o[4] = static_cast<unsigned char>(length >> 8);
        o[5] = static_cast<unsigned char>(length & 0xff);
    }
    // The original PES filled its packets exactly (ffmpeg pads its last packet with
    // adaptation-field stuffing); its real length tells where the payload ended.
    const std::size_t real = old_length != 0 ? 6 + old_length : pes.size();
    out.resize(std::min(out.size(), real - (cut - header)));
    if (out.size() < packets.size()) return 0;  // cannot give every packet a byte
    // Spread over the same packets: each keeps its header and adaptation field, gets stuffing
    // for what it no longer carries, and at least one byte (so CCs stay valid).
    std::string rebuilt = ts;
    std::size_t pos = 0;
    for (std::size_t k = 0; k < packets.size(); ++k) {
        auto* p = reinterpret_cast<unsigned char*>(rebuilt.data() + packets[k]);
        const bool has_af = (p[3] >> 4) & 2;
        const std::size_t af_total = has_af ? 1 + static_cast<std::size_t>(p[4]) : 0;
        const std::size_t capacity = kPacket - 4 - af_total;
        const std::size_t left_packets = packets.size() - k - 1;
        std::size_t take = std::min(capacity, out.size() - pos - left_packets);
        if (take == 0) take = 1;
        std::size_t stuffing = capacity - take;
        unsigned char af[kPacket];
        std::size_t af_len = 0;
        if (has_af) {
            std::memcpy(af, p + 4, af_total);
            af_len = af_total;
        }
        if (stuffing > 0) {
            if (af_len == 0) {
                af[0] = 0;
                af_len = 1;
                --stuffing;
                if (stuffing > 0) {
                    af[1] = 0x00;  // flags
                    af_len = 2;
                    --stuffing;
                }
            } else if (af_len == 1) {
                af[1] = 0x00;
                af_len = 2;
                --stuffing;
            }
            std::memset(af + af_len, 0xff, stuffing);
            af_len += stuffing;
            af[0] = static_cast<unsigned char>(af_len - 1);
        }
        if (af_len > 0) p[3] = static_cast<unsigned char>(p[3] | 0x20);
        std::memcpy(p + 4, af, af_len);
        std::memcpy(p + 4 + af_len, out.data() + pos, take);
        pos += take;
    }
    if (pos != out.size()) return Error::Invalid("TS: audio PES does not fit its packets");
    ts = std::move(rebuilt);
    return dropped;
}

}  // namespace beacon::media
