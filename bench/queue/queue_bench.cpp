// The job queue under contention, on PostgreSQL (a throwaway cluster started here) and SQLite:
// W workers, each with its own Database handle (as separate processes have), claim and finish
// N queued no-op jobs. Prints claim latency percentiles and jobs per second.
//   queue_bench [workers=4] [jobs=100] [rounds=5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include <unistd.h>

#include "storage/database.hpp"
#include "storage/postgres_database.hpp"
#include "support/postgres_cluster.hpp"

namespace {

using namespace beacon;
using Clock = std::chrono::steady_clock;

struct Outcome {
    std::vector<double> claim_ms;
    double seconds = 0;
    int jobs = 0;
};

Outcome Round(const std::function<std::unique_ptr<storage::Database>()>& open, int workers,
              int jobs) {
    auto seed = open();
    core::GenerateRequest r;
    r.prompt = "bench";
    for (int i = 0; i < jobs; ++i) (void)seed->CreateJob(1, r);
    std::vector<std::unique_ptr<storage::Database>> handles;
    for (int w = 0; w < workers; ++w) handles.push_back(open());
    std::vector<std::vector<double>> lat(static_cast<std::size_t>(workers));
    std::vector<int> done(static_cast<std::size_t>(workers), 0);
    const auto start = Clock::now();
    {
        std::vector<std::jthread> threads;
        for (int w = 0; w < workers; ++w) {
            threads.emplace_back([&, w] {
                auto& db = *handles[static_cast<std::size_t>(w)];
                const std::string me = "bench:" + std::to_string(w);
                for (;;) {
                    const auto t0 = Clock::now();
                    auto c = db.ClaimJob(me, core::NowMillis(), core::NowMillis() + 60'000);
                    lat[static_cast<std::size_t>(w)].push_back(
                        std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                    if (!c.ok() || !c->has_value()) break;
                    (void)db.FinishJob((*c)->id, core::JobState::kCompleted, std::nullopt, std::nullopt);
                    ++done[static_cast<std::size_t>(w)];
                }
            });
        }
    }
    Outcome o;
    o.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (auto& v : lat) o.claim_ms.insert(o.claim_ms.end(), v.begin(), v.end());
    for (int d : done) o.jobs += d;
    return o;
}

void Report(const char* name, std::vector<Outcome> rounds) {
    std::vector<double> all;
    double secs = 0;
    int jobs = 0;
    for (auto& o : rounds) {
        all.insert(all.end(), o.claim_ms.begin(), o.claim_ms.end());
        secs += o.seconds;
        jobs += o.jobs;
    }
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) { return all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))]; };
    std::printf("%-10s claims %6zu  p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms  %7.0f jobs/s (claim+finish)\n",
                name, all.size(), pct(0.5), pct(0.95), all.back(), jobs / secs);
}

}  // namespace

int main(int argc, char** argv) {
    const int workers = argc > 1 ? std::atoi(argv[1]) : 4;
    const int jobs = argc > 2 ? std::atoi(argv[2]) : 100;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
    auto cluster = testing::PostgresCluster::Start();
    if (!cluster.ok()) {
        std::fprintf(stderr, "%s\n", cluster.error().message.c_str());
        return 1;
    }
    std::vector<Outcome> pg;
    std::vector<Outcome> lite;
    const auto dir = std::filesystem::temp_directory_path() / ("beacon-qbench-" + std::to_string(getpid()));
    for (int i = 0; i < rounds; ++i) {
        const std::string name = "bench" + std::to_string(i);
        if (!(*cluster)->CreateDatabase(name).ok()) return 1;
        const std::string url = (*cluster)->Url(name);
        pg.push_back(Round([&] { return std::move(storage::OpenPostgres(url, 2)).value(); }, workers, jobs));
        std::filesystem::create_directories(dir / name);
        const std::string path = (dir / name / "beacon.db").string();
        lite.push_back(Round([&] { return std::move(storage::OpenSqlite(path)).value(); }, workers, jobs));
    }
    std::filesystem::remove_all(dir);
    std::printf("%d workers (separate handles), %d queued no-op jobs, %d rounds\n", workers, jobs, rounds);
    Report("postgresql", pg);
    Report("sqlite", lite);
    return 0;
}
