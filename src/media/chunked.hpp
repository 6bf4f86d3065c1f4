#pragma once
/// The final encode in pieces (issue 20): the video is cut on its keyframe grid (one piece per
/// GOP, `fps * segment_seconds` frames), each piece is encoded by itself from the pictures of
/// the scenes it shows (so it can start as soon as those exist, while other pictures are still
/// being painted), and the pieces are joined by stream copy with the narration encoded once.
/// The joined file has what BuildFinalCommand's has: the house codec and settings, an IDR frame
/// at every multiple of the GOP and nowhere else, the same frame count, the same audio.
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/assembly.hpp"
#include "media/command.hpp"
#include "media/options.hpp"
#include "media/probe.hpp"

namespace beacon::media {

/// One piece of the final video.
struct VideoChunk {
    int index = 0;
    long long first_frame = 0;        // on the timeline
    long long frames = 0;             // at most one GOP
    std::vector<std::size_t> scenes;  // the scenes it shows (0-based, ascending)
};

/// Frames of one GOP of the final encode.
inline int GopFrames(const MediaOptions& opts) { return opts.fps * opts.segment_seconds; }

/// The pieces of the final video: one per GOP of `t`, the last one shorter when the length is
/// not a whole number of GOPs. Each lists the scenes whose clips (crossfades included) it shows.
std::vector<VideoChunk> PlanChunks(const Timeline& t, int gop_frames);

/// Encodes one piece (video only, the final encode's codec settings): the frames
/// [first_frame, first_frame + frames) of what BuildFinalCommand would draw. Only the pictures
/// (and layers) of `chunk.scenes` are read; the other scenes' SceneMedia may lack them.
/// Burned-in captions are not supported here (the caller encodes in one piece then).
core::Result<FfmpegCommand> BuildChunkCommand(const MediaOptions& opts,
                                              const std::vector<SceneMedia>& scenes,
                                              const Timeline& t, const VideoChunk& chunk,
                                              FrameSize size, const std::string& out_mp4);

/// The ffconcat list that joins `files` in order (paths quoted for the concat demuxer).
std::string ConcatList(const std::vector<std::string>& files);

/// Joins the pieces listed in `concat_list` (stream copy) with the narration, normalised as
/// FinalAudioFilters does and encoded once, into the final MP4.
FfmpegCommand BuildStitchCommand(const MediaOptions& opts, const std::string& concat_list,
                                 const Timeline& t, const std::string& narration_wav,
                                 const std::optional<Loudness>& measured,
                                 const std::string& out_mp4);

}  // namespace beacon::media
