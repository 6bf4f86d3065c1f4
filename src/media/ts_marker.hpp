#pragma once
/// MPEG-TS continuity at item boundaries. Each library item's segments are cut by their own
/// muxer run, so at a LiveLoop item boundary every PID's continuity counter (CC) jumps. HLS
/// signals the boundary with EXT-X-DISCONTINUITY, but demuxers that read consecutive segments
/// as one stream and check CCs (ffmpeg's hls/mpegts demuxers) flag the packets around the jump
/// as corrupt. Setting the transport-level discontinuity_indicator on the first packet of every
/// PID of an item's first segment tells them the jump is expected (ISO/IEC 13818-1 2.4.3.5; it
/// also marks the PCR time-base change, which is true at an item start). Meant for ingest (the
/// media/pipeline modules) on each rendition's seg_00000.ts; harmless for a lone item. Pure.
#include <string>

namespace beacon::media {

struct MarkResult {
    int marked = 0;    // PIDs whose first packet now carries the indicator
    int unmarked = 0;  // PIDs whose first packet had no room for an adaptation field
};

/// Marks `ts` (whole 188-byte packets) in place. Packets without an adaptation field get one
/// when their payload ends in PSI stuffing (0xFF), which is true for PAT/PMT/SDT; PES packets
/// are marked only when they already carry an adaptation field (ffmpeg writes one, with the
/// PCR or random_access_indicator, on the first packet of each elementary stream). Returns
/// counts; `ts` that is not a whole number of packets starting with 0x47 is left unchanged
/// (both counts 0).
MarkResult MarkDiscontinuity(std::string& ts);

}  // namespace beacon::media
