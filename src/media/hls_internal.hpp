#pragma once
/// Internal to the HLS packaging files (hls.cpp, hls_languages.cpp): helpers both use.
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/hls.hpp"
#include "media/runner.hpp"

namespace beacon::media::hls_detail {

std::string Fixed(double v, int digits);
core::Status WriteText(const std::filesystem::path& p, const std::string& text);
/// The file ffmpeg was asked to write (an error naming it when it did not).
core::Result<std::string> ReadText(const std::filesystem::path& p);
/// An attribute value for a playlist tag: quoted, with quotes and line breaks dropped.
std::string Quoted(const std::string& s);

/// Cuts the mapped streams of `inputs` into TS segments under dir, returns the segments.
/// `copyts`: keep the inputs' timestamps (inputs that are already cut TS renditions).
core::Result<std::vector<Segment>> SegmentStreams(const MediaOptions& opts,
                                                  const std::vector<std::string>& inputs,
                                                  const std::vector<std::string>& maps,
                                                  bool encode_audio, bool copyts,
                                                  const std::filesystem::path& dir,
                                                  const RunOptions& run, std::size_t grid_count = 0,
                                                  double ts_offset = 0);
/// Cuts one stream of `input` into TS segments under dir, returns the segments.
core::Result<std::vector<Segment>> Segment1(const MediaOptions& opts, const std::string& input,
                                            const std::string& map, bool encode_audio,
                                            const std::filesystem::path& dir,
                                            const RunOptions& run, std::size_t grid_count = 0,
                                            double ts_offset = 0);
/// Presentation time of the first packet of one stream ("v:0", "a:0") of a file.
core::Result<double> FirstPacketPts(const MediaOptions& opts, const std::string& file,
                                    const std::string& stream, const RunOptions& run);
/// "concat:a|b|..." of a rendition's TS segments (one mux's segments concatenate byte-wise).
std::string ConcatInput(const std::filesystem::path& dir, const std::vector<Segment>& segments);

struct Muxed {
    std::vector<Segment> segments;
    double first_pts = 0;  // first video PTS of the muxed segments
};

/// muxed_<lang>/: the video rendition and the language's audio rendition (already cut and
/// aligned) in one TS per segment, stream copy with their timestamps kept, on the video grid.
core::Result<Muxed> MakeMuxed(const MediaOptions& opts, const std::filesystem::path& root,
                              const std::vector<Segment>& video, const std::string& adir,
                              const std::vector<Segment>& audio, const std::string& mdir,
                              const RunOptions& run);

}  // namespace beacon::media::hls_detail
