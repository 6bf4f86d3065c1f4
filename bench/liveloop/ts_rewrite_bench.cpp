// Cost of moving a segment onto a channel's timeline (issue 9): the byte-level PTS/DTS/PCR and
// CC rewrite done on every segment LiveLoop serves, per MB, against a plain copy of the same
// bytes measured in the same run (the floor any serving path pays).
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "media/ts_rewrite.hpp"

namespace {

/// About 1 MB of real MPEG-TS: the test segments (H.264 + AAC, ffmpeg's hls muxer) repeated.
std::string OneMegabyte() {
    std::string seg;
    for (int i = 0; i < 2; ++i) {
        std::ifstream in(std::string(BEACON_SOURCE_DIR) + "/src/media/testdata/ts_item_seg" +
                             std::to_string(i) + ".ts",
                         std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        seg += ss.str();
    }
    std::string out;
    while (out.size() < (1u << 20)) out += seg;
    return out;
}

const std::string& Input() {
    static const std::string bytes = OneMegabyte();
    return bytes;
}

void BM_CopyBaseline(benchmark::State& state) {
    const std::string& in = Input();
    std::string out(in.size(), '\0');
    for (auto _ : state) {
        std::memcpy(out.data(), in.data(), in.size());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_CopyBaseline);

void BM_CopyAndShift(benchmark::State& state) {
    const std::string& in = Input();
    beacon::media::TsShift shift;
    shift.clock_offset = 123456789;
    shift.cc_add[0x100] = 5;
    shift.cc_add[0x101] = 7;
    shift.clear_discontinuity = true;
    std::string out;
    for (auto _ : state) {
        out = in;
        auto st = beacon::media::ShiftTs(out, shift);
        benchmark::DoNotOptimize(st);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_CopyAndShift);

void BM_ScanContinuity(benchmark::State& state) {
    const std::string& in = Input();
    for (auto _ : state) {
        auto c = beacon::media::ScanContinuity(in);
        benchmark::DoNotOptimize(c);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_ScanContinuity);

void BM_CopyAndDropPriming(benchmark::State& state) {
    const std::string& in = Input();
    const std::int64_t video = beacon::media::FirstPts(in, 0x100);
    std::string out;
    for (auto _ : state) {
        out = in;
        auto n = beacon::media::DropLeadingAudio(out, video);
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_CopyAndDropPriming);

}  // namespace

BENCHMARK_MAIN();
