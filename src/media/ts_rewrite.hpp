#pragma once
/// Byte-level MPEG-TS timestamp and continuity rewriting, so that segments of different library
/// items, cut by separate muxer runs, play back to back on one channel timeline without a
/// timestamp reset (LiveLoop). No decoding: every PES header's PTS/DTS, every adaptation field's
/// PCR, and the continuity counters (CC) are rewritten in place; the packet count and the
/// payload bytes never change. Pure.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace beacon::media {

/// PTS, DTS and PCR bases are 33-bit counters of a 90 kHz clock: arithmetic is modulo this.
inline constexpr std::int64_t kTsClockWrap = std::int64_t{1} << 33;

/// Per PID (0..8191), the continuity counter of its first and of its last payload-carrying
/// packet; -1 where the PID carries no payload in the buffer.
struct TsContinuity {
    std::array<std::int8_t, 8192> first{};
    std::array<std::int8_t, 8192> last{};
    TsContinuity() {
        first.fill(-1);
        last.fill(-1);
    }
};

/// What to do to a segment.
struct TsShift {
    /// Ticks (90 kHz) added to every PTS, DTS and PCR base, modulo 2^33 (may be negative).
    std::int64_t clock_offset = 0;
    /// Added to each PID's continuity counter, modulo 16 (0 = unchanged).
    std::array<std::uint8_t, 8192> cc_add{};
    /// Clears the transport-level discontinuity_indicator (set at ingest on an item's first
    /// packets, see ts_marker.hpp): right when the rewritten stream continues without a jump.
    bool clear_discontinuity = false;
};

struct TsShiftStats {
    int packets = 0;
    int pes_headers = 0;   // PES headers whose PTS (and DTS) were moved
    int pcrs = 0;          // PCRs moved
    int cleared = 0;       // discontinuity indicators cleared
};

/// Scans whole 188-byte packets. Invalid when `ts` is not a whole number of packets, each
/// starting with the 0x47 sync byte.
core::Result<TsContinuity> ScanContinuity(std::string_view ts);

/// Rewrites `ts` in place (see TsShift). Invalid, with `ts` unchanged, when it is not a whole
/// number of sync-aligned packets or a PES header is truncated or malformed.
core::Result<TsShiftStats> ShiftTs(std::string& ts, const TsShift& shift);

/// For each PID, the value to add to the CCs of a segment that starts with `next_first` so that
/// it continues a stream that ended with `prev_last` (after `prev_add` was applied to it).
/// PIDs absent from either side keep 0.
std::array<std::uint8_t, 8192> ChainContinuity(const TsContinuity& prev_last_segment,
                                               const std::array<std::uint8_t, 8192>& prev_add,
                                               const TsContinuity& next_first_segment);

/// Moves a WebVTT segment's `X-TIMESTAMP-MAP=...MPEGTS:<n>` by `clock_offset` ticks (mod 2^33);
/// the text is returned unchanged when it has no map.
std::string ShiftWebVtt(std::string_view vtt, std::int64_t clock_offset);

/// (a + b) mod 2^33, for 90 kHz clock values.
std::int64_t AddClock(std::int64_t a, std::int64_t b);

/// The first PTS (90 kHz, 33 bits) of the PES stream on `pid`, or -1.
std::int64_t FirstPts(std::string_view ts, int pid);

/// Drops the AAC frames (ADTS) at the start of the first audio PES that end at or before
/// `until_pts` (90 kHz): the encoder's priming frame that AAC puts before the first video frame,
/// which would overlap the previous item's last audio frame on a channel. The PES keeps its
/// TS packets (the payload is spread over them again, with adaptation-field stuffing), so
/// continuity counters and packet counts are unchanged; its PTS moves to the first kept frame.
/// Returns the number of frames dropped (0 when nothing ends that early or the PES is not ADTS);
/// Invalid, with `ts` unchanged, on malformed input.
core::Result<int> DropLeadingAudio(std::string& ts, std::int64_t until_pts);

}  // namespace beacon::media
