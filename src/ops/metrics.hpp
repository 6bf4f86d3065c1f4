#pragma once
/// A small metrics registry written out in the Prometheus text exposition format (version
/// 0.0.4): counters, gauges and histograms with fixed label names, HELP/TYPE lines, escaped
/// label values, `_bucket{le=...}`/`_sum`/`_count` for histograms. Thread-safe: every update
/// takes one family mutex; Render() may run beside updates.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace beacon::ops {

enum class MetricType { kCounter, kGauge, kHistogram };

/// Label values in the order of the family's label names.
using LabelValues = std::vector<std::string>;

/// One metric name with its series (one per distinct label-value tuple).
class Family {
public:
    Family(std::string name, std::string help, MetricType type, std::vector<std::string> labels,
           std::vector<double> buckets);

    const std::string& name() const { return name_; }
    MetricType type() const { return type_; }

    /// Counter or gauge: adds `by` (counters ignore negative amounts).
    void Inc(const LabelValues& values, double by = 1);
    /// Gauge: sets the value.
    void Set(const LabelValues& values, double value);
    /// Histogram: counts one observation (in the family's base unit).
    void Observe(const LabelValues& values, double value);
    /// Drops every series (for gauges rebuilt by a collector at each scrape).
    void Clear();
    /// The current value of a counter/gauge series, or a histogram's count; 0 when absent.
    double Value(const LabelValues& values) const;
    /// A histogram series' sum of observations; 0 when absent.
    double Sum(const LabelValues& values) const;

    /// Appends HELP, TYPE and the samples. A family without series writes nothing.
    void Render(std::string& out) const;

private:
    struct Series {
        double value = 0;                   // counter/gauge value; histogram sum
        std::vector<std::uint64_t> counts;  // histogram: per bucket (not cumulative), +Inf last
        std::uint64_t count = 0;
    };
    Series& At(const LabelValues& values);  // mu_ held

    std::string name_;
    std::string help_;
    MetricType type_;
    std::vector<std::string> labels_;
    std::vector<double> buckets_;  // upper bounds, ascending, without +Inf
    mutable std::mutex mu_;
    std::map<LabelValues, Series> series_;
};

class Registry {
public:
    /// Adds a family. Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
    /// [a-zA-Z_][a-zA-Z0-9_]* and not "le" (checked: std::invalid_argument). The reference stays
    /// valid as long as the registry.
    Family& Add(std::string name, std::string help, MetricType type,
                std::vector<std::string> labels = {}, std::vector<double> buckets = {});
    /// Runs before every Render (e.g. to refresh gauges from the database or /proc). Collectors
    /// run one at a time, in the order added.
    void AddCollector(std::function<void()> collect);
    /// Runs the collectors, then writes every family, sorted by name.
    std::string Render();

private:
    std::mutex mu_;
    std::map<std::string, std::unique_ptr<Family>> families_;
    std::vector<std::function<void()>> collectors_;
    std::mutex render_mu_;
};

/// Escapes a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);
/// Escapes HELP text: backslash and newline.
std::string EscapeHelp(std::string_view help);
/// A sample value as Prometheus writes it: integers without a fraction, +Inf, -Inf, NaN.
std::string FormatValue(double value);
/// Default request/stage duration buckets in seconds.
std::vector<double> DurationBuckets();
/// Buckets for long jobs (seconds, 1 s .. 1 h).
std::vector<double> JobDurationBuckets();

}  // namespace beacon::ops
