#include "pipeline/localize_fit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "pipeline/localize.hpp"

namespace beacon::pipeline {
namespace {

using core::Error;
using core::Result;
namespace fs = std::filesystem;

std::uint32_t Le32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint16_t Le16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
void Put32(std::string& s, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void Put16(std::string& s, std::uint16_t v) {
    s += static_cast<char>(v & 0xff);
    s += static_cast<char>(v >> 8);
}

/// A 16-bit PCM WAV in memory: its format and where its samples are.
struct Pcm16Wav {
    int channels = 0;
    int sample_rate = 0;
    std::size_t data_offset = 0;
    std::size_t data_bytes = 0;
};
/// nullopt-like: channels == 0 when the file is not a 16-bit PCM WAV.
Pcm16Wav ParsePcm16Wav(const std::string& bytes) {
    Pcm16Wav w;
    const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
    if (bytes.size() < 12 || std::memcmp(b, "RIFF", 4) != 0 || std::memcmp(b + 8, "WAVE", 4) != 0)
        return {};
    bool pcm16 = false;
    for (std::size_t at = 12; at + 8 <= bytes.size();) {
        const std::uint32_t size = Le32(b + at + 4);
        const std::size_t body = at + 8;
        if (std::memcmp(b + at, "fmt ", 4) == 0 && size >= 16 && body + 16 <= bytes.size()) {
            const std::uint16_t format = Le16(b + body);
            w.channels = Le16(b + body + 2);
            w.sample_rate = static_cast<int>(Le32(b + body + 4));
            pcm16 = (format == 1 || format == 0xFFFE) && Le16(b + body + 14) == 16;
        } else if (std::memcmp(b + at, "data", 4) == 0) {
            w.data_offset = body;
            // eSpeak NG writing to a file it cannot seek leaves the size as 0x7fffffff or 0.
            w.data_bytes = std::min<std::size_t>(size == 0 ? bytes.size() - body : size,
                                                 bytes.size() - body);
            break;
        }
        at = body + size + (size & 1);
    }
    if (!pcm16 || w.channels <= 0 || w.sample_rate <= 0 || w.data_offset == 0) return {};
    return w;
}

std::string WavFile(const Pcm16Wav& fmt, const char* samples, std::size_t bytes) {
    std::string s = "RIFF";
    Put32(s, static_cast<std::uint32_t>(36 + bytes));
    s += "WAVEfmt ";
    Put32(s, 16);
    Put16(s, 1);
    Put16(s, static_cast<std::uint16_t>(fmt.channels));
    Put32(s, static_cast<std::uint32_t>(fmt.sample_rate));
    Put32(s, static_cast<std::uint32_t>(fmt.sample_rate * fmt.channels * 2));
    Put16(s, static_cast<std::uint16_t>(fmt.channels * 2));
    Put16(s, 16);
    s += "data";
    Put32(s, static_cast<std::uint32_t>(bytes));
    s.append(samples, bytes);
    return s;
}

Result<std::string> Slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) return Error::Unavailable("cannot read " + p.string());
    return std::string(std::istreambuf_iterator<char>(f), {});
}

core::Status Spill(const fs::path& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << bytes;
    f.close();
    if (!f) return Error::Unavailable("cannot write " + p.string());
    return {};
}

std::string Num(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

/// The cut of a 16-bit PCM WAV in memory; `out` is written only when something is cut.
Result<TrimmedAudio> TrimPcm16(const std::string& bytes, const Pcm16Wav& w, const fs::path& in,
                               const fs::path& out) {
    const std::size_t frame = static_cast<std::size_t>(w.channels) * 2;
    const std::size_t frames = w.data_bytes / frame;
    std::vector<std::int16_t> samples(frames * static_cast<std::size_t>(w.channels));
    std::memcpy(samples.data(), bytes.data() + w.data_offset, samples.size() * 2);
    const double total = static_cast<double>(frames) / w.sample_rate;
    const SoundSpan span = SoundSpanOfPcm16(samples, w.channels, w.sample_rate);
    TrimmedAudio t{in, total, 0, 0};
    if (span.end <= span.start) return t;  // silent throughout: nothing to keep or cut
    const auto first = static_cast<std::size_t>(std::llround(span.start * w.sample_rate));
    const auto last = std::min(frames, static_cast<std::size_t>(std::llround(span.end * w.sample_rate)));
    if (first == 0 && last == frames) return t;
    BEACON_CHECK(Spill(out, WavFile(w, bytes.data() + w.data_offset + first * frame,
                                    (last - first) * frame)));
    t.audio = out;
    t.duration = static_cast<double>(last - first) / w.sample_rate;
    t.lead_cut = static_cast<double>(first) / w.sample_rate;
    t.tail_cut = total - static_cast<double>(last) / w.sample_rate;
    return t;
}

}  // namespace

SoundSpan SoundSpanOfPcm16(std::span<const std::int16_t> interleaved, int channels,
                           int sample_rate, double threshold_db) {
    if (channels <= 0 || sample_rate <= 0) return {};
    const std::size_t frames = interleaved.size() / static_cast<std::size_t>(channels);
    const double level = 32768.0 * std::pow(10.0, threshold_db / 20.0);
    auto loud = [&](std::size_t f) {
        for (int c = 0; c < channels; ++c) {
            const int v = interleaved[f * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)];
            if (std::abs(v) > level) return true;
        }
        return false;
    };
    std::size_t first = 0;
    while (first < frames && !loud(first)) ++first;
    if (first == frames) return {};
    std::size_t last = frames;
    while (last > first && !loud(last - 1)) --last;
    const double rate = sample_rate;
    const double total = static_cast<double>(frames) / rate;
    return {std::max(0.0, static_cast<double>(first) / rate - kSilenceKeep),
            std::min(total, static_cast<double>(last) / rate + kSilenceKeep)};
}

Result<TrimmedAudio> TrimSilence(const media::MediaOptions& media, const fs::path& audio,
                                 const media::RunOptions& run) {
    const fs::path out = audio.parent_path() / (audio.stem().string() + ".cut.wav");
    BEACON_TRY(bytes, Slurp(audio));
    if (const Pcm16Wav w = ParsePcm16Wav(bytes); w.channels > 0) {
        return TrimPcm16(bytes, w, audio, out);
    }
    // Not 16-bit PCM: decode into one (mono, the voice's own rate), then cut it the same way.
    const fs::path pcm = audio.parent_path() / (audio.stem().string() + ".pcm.wav");
    media::RunOptions quiet = run;
    quiet.on_progress = nullptr;
    BEACON_TRY(done, media::Run(media, {media.ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel",
                                        "error", "-i", audio.string(), "-ac", "1", "-c:a",
                                        "pcm_s16le", pcm.string()},
                                       quiet));
    (void)done;
    BEACON_TRY(decoded, Slurp(pcm));
    const Pcm16Wav w = ParsePcm16Wav(decoded);
    if (w.channels == 0) return Error::External("ffmpeg: no PCM from " + audio.string());
    BEACON_TRY(t, TrimPcm16(decoded, w, pcm, out));
    return t;
}

double HeldTime(const std::vector<Hold>& holds, double t) {
    double shift = 0;
    for (const auto& h : holds) {
        if (h.at <= t + 1e-9) shift += h.seconds;
    }
    return t + shift;
}

double HeldDuration(const std::vector<Hold>& holds, double duration) {
    double total = duration;
    for (const auto& h : holds) total += h.seconds;
    return total;
}

double HoldFor(double overrun, int fps) {
    if (overrun <= 0) return 0;
    const double frames = std::ceil((overrun + kLineGap) * fps - 1e-6);
    return frames / fps;
}

std::string HeldVideoFilter(const std::vector<Hold>& holds, int fps, double duration) {
    std::string shift;
    double at_end = 0;
    for (const auto& h : holds) {
        if (h.seconds <= 0) continue;
        if (h.at >= duration - 1e-6) {
            at_end += h.seconds;
            continue;
        }
        shift += "+gte(T\\," + Num(h.at) + ")*" + Num(h.seconds);
    }
    // Frames at or after each hold come later by it; fps repeats the frame before to fill.
    std::string f = "setpts=PTS" + (shift.empty() ? "" : "+(" + shift.substr(1) + ")/TB") +
                    ",fps=" + std::to_string(fps);
    if (at_end > 0) f += ",tpad=stop_mode=clone:stop_duration=" + Num(at_end);
    return f;
}

}  // namespace beacon::pipeline
