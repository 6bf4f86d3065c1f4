#include "ops/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <thread>

namespace beacon::ops {
namespace {

TEST(Metrics, CounterWithLabelsWritesHelpTypeAndSortedSeries) {
    Registry r;
    auto& c = r.Add("beacon_things_total", "Things seen.", MetricType::kCounter, {"kind"});
    c.Inc({"b"});
    c.Inc({"a"}, 2);
    c.Inc({"b"}, 0.5);
    c.Inc({"a"}, -5);  // counters never go down
    EXPECT_EQ(r.Render(),
              "# HELP beacon_things_total Things seen.\n"
              "# TYPE beacon_things_total counter\n"
              "beacon_things_total{kind=\"a\"} 2\n"
              "beacon_things_total{kind=\"b\"} 1.5\n");
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
    Registry r;
    auto& g = r.Add("beacon_x", "Line one\nback\\slash", MetricType::kGauge, {"route"});
    g.Set({"a\"b\\c\nd"}, 1);
    EXPECT_EQ(r.Render(),
              "# HELP beacon_x Line one\\nback\\\\slash\n"
              "# TYPE beacon_x gauge\n"
              "beacon_x{route=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
    Registry r;
    auto& h = r.Add("beacon_wait_seconds", "Waits.", MetricType::kHistogram, {"stage"},
                    {1, 0.1, 10});
    h.Observe({"s"}, 0.05);
    h.Observe({"s"}, 0.1);  // le is inclusive
    h.Observe({"s"}, 5);
    h.Observe({"s"}, 50);
    EXPECT_EQ(r.Render(),
              "# HELP beacon_wait_seconds Waits.\n"
              "# TYPE beacon_wait_seconds histogram\n"
              "beacon_wait_seconds_bucket{stage=\"s\",le=\"0.1\"} 2\n"
              "beacon_wait_seconds_bucket{stage=\"s\",le=\"1\"} 2\n"
              "beacon_wait_seconds_bucket{stage=\"s\",le=\"10\"} 3\n"
              "beacon_wait_seconds_bucket{stage=\"s\",le=\"+Inf\"} 4\n"
              "beacon_wait_seconds_sum{stage=\"s\"} 55.15\n"
              "beacon_wait_seconds_count{stage=\"s\"} 4\n");
    EXPECT_EQ(h.Value({"s"}), 4);
}

TEST(Metrics, UnlabelledHistogramPutsLeAlone) {
    Registry r;
    auto& h = r.Add("beacon_rtt_seconds", "RTT.", MetricType::kHistogram, {}, {1});
    h.Observe({}, 2);
    std::string out = r.Render();
    EXPECT_NE(out.find("beacon_rtt_seconds_bucket{le=\"1\"} 0\n"), std::string::npos) << out;
    EXPECT_NE(out.find("beacon_rtt_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("beacon_rtt_seconds_sum 2\n"), std::string::npos) << out;
}

TEST(Metrics, EmptyFamiliesAreLeftOutAndFamiliesAreSortedByName) {
    Registry r;
    r.Add("beacon_b", "B.", MetricType::kGauge).Set({}, 1);
    r.Add("beacon_a", "A.", MetricType::kGauge).Set({}, 2);
    r.Add("beacon_gpu", "Absent.", MetricType::kGauge, {"gpu"});
    EXPECT_EQ(r.Render(),
              "# HELP beacon_a A.\n# TYPE beacon_a gauge\nbeacon_a 2\n"
              "# HELP beacon_b B.\n# TYPE beacon_b gauge\nbeacon_b 1\n");
}

TEST(Metrics, CollectorsRunBeforeEachRenderAndClearDropsSeries) {
    Registry r;
    auto& g = r.Add("beacon_gpus", "G.", MetricType::kGauge, {"gpu"});
    int calls = 0;
    r.AddCollector([&] {
        ++calls;
        g.Clear();
        if (calls == 1) g.Set({"0"}, 1);
    });
    EXPECT_NE(r.Render().find("beacon_gpus{gpu=\"0\"} 1"), std::string::npos);
    EXPECT_EQ(r.Render(), "");
    EXPECT_EQ(calls, 2);
}

TEST(Metrics, BadNamesAreRefused) {
    Registry r;
    EXPECT_THROW(r.Add("9bad", "x", MetricType::kGauge), std::invalid_argument);
    EXPECT_THROW(r.Add("beacon-x", "x", MetricType::kGauge), std::invalid_argument);
    EXPECT_THROW(r.Add("beacon_x", "x", MetricType::kHistogram, {"le"}), std::invalid_argument);
    EXPECT_THROW(r.Add("beacon_y", "x", MetricType::kGauge, {"bad-label"}), std::invalid_argument);
    r.Add("beacon_z", "x", MetricType::kGauge);
    EXPECT_THROW(r.Add("beacon_z", "x", MetricType::kGauge), std::invalid_argument);
}

TEST(Metrics, ValuesAreFormattedAsPrometheusReadsThem) {
    EXPECT_EQ(FormatValue(3), "3");
    EXPECT_EQ(FormatValue(-2), "-2");
    EXPECT_EQ(FormatValue(0.25), "0.25");
    EXPECT_EQ(FormatValue(0.1), "0.1");  // shortest round trip, not 0.10000000000000001
    EXPECT_EQ(FormatValue(0.7), "0.7");
    EXPECT_EQ(FormatValue(2.5e-7), "2.5e-07");
    EXPECT_EQ(FormatValue(INFINITY), "+Inf");
    EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
    EXPECT_EQ(FormatValue(NAN), "NaN");
    EXPECT_EQ(FormatValue(1e20), "1e+20");
}

TEST(Metrics, ConcurrentUpdatesAreAllCounted) {
    Registry r;
    auto& c = r.Add("beacon_n_total", "N.", MetricType::kCounter, {"t"});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) c.Inc({"x"});
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(c.Value({"x"}), 40000);
}

}  // namespace
}  // namespace beacon::ops
