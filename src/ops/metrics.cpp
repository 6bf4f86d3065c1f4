#include "ops/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace beacon::ops {

namespace {

bool ValidName(std::string_view s, bool colon) {
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

const char* TypeName(MetricType t) {
    switch (t) {
        case MetricType::kCounter: return "counter";
        case MetricType::kGauge: return "gauge";
        case MetricType::kHistogram: return "histogram";
    }
    return "untyped";
}

void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const LabelValues& values, std::string_view le = {}) {
    if (names.empty() && le.empty()) return;
    out += '{';
    bool first = true;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (!first) out += ',';
        first = false;
        out += names[i];
        out += "=\"";
        out += EscapeLabelValue(i < values.size() ? values[i] : std::string());
        out += '"';
    }
    if (!le.empty()) {
        if (!first) out += ',';
        out += "le=\"";
        out += le;
        out += '"';
    }
    out += '}';
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string EscapeHelp(std::string_view help) {
    std::string out;
    for (char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string FormatValue(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        // The shortest text that reads back as the same double (0.1, not 0.10000000000000001).
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
        if (ec != std::errc()) return "NaN";
        return std::string(buf, end);
    }
    return buf;
}

std::vector<double> DurationBuckets() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> JobDurationBuckets() {
    return {1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600};
}

Family::Family(std::string name, std::string help, MetricType type,
               std::vector<std::string> labels, std::vector<double> buckets)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      labels_(std::move(labels)),
      buckets_(std::move(buckets)) {
    std::sort(buckets_.begin(), buckets_.end());
    buckets_.erase(std::unique(buckets_.begin(), buckets_.end()), buckets_.end());
    if (!buckets_.empty() && std::isinf(buckets_.back())) buckets_.pop_back();
}

Family::Series& Family::At(const LabelValues& values) {
    auto [it, fresh] = series_.try_emplace(values);
    if (fresh && type_ == MetricType::kHistogram) it->second.counts.assign(buckets_.size() + 1, 0);
    return it->second;
}

void Family::Inc(const LabelValues& values, double by) {
    if (type_ == MetricType::kCounter && !(by >= 0)) return;
    std::lock_guard lock(mu_);
    At(values).value += by;
}

void Family::Set(const LabelValues& values, double value) {
    std::lock_guard lock(mu_);
    At(values).value = value;
}

void Family::Observe(const LabelValues& values, double value) {
    if (std::isnan(value)) return;
    std::size_t bucket =
        static_cast<std::size_t>(std::lower_bound(buckets_.begin(), buckets_.end(), value) -
                                 buckets_.begin());
    std::lock_guard lock(mu_);
    Series& s = At(values);
    ++s.counts[bucket];
    ++s.count;
    s.value += value;
}

void Family::Clear() {
    std::lock_guard lock(mu_);
    series_.clear();
}

double Family::Value(const LabelValues& values) const {
    std::lock_guard lock(mu_);
    auto it = series_.find(values);
    if (it == series_.end()) return 0;
    return type_ == MetricType::kHistogram ? static_cast<double>(it->second.count)
                                           : it->second.value;
}

double Family::Sum(const LabelValues& values) const {
    std::lock_guard lock(mu_);
    auto it = series_.find(values);
    return it == series_.end() ? 0 : it->second.value;
}

void Family::Render(std::string& out) const {
    std::lock_guard lock(mu_);
    if (series_.empty()) return;
    out += "# HELP " + name_ + " " + EscapeHelp(help_) + "\n";
    out += "# TYPE " + name_ + " " + TypeName(type_) + "\n";
    for (const auto& [values, s] : series_) {
        if (type_ != MetricType::kHistogram) {
            out += name_;
            AppendLabels(out, labels_, values);
            out += ' ' + FormatValue(s.value) + '\n';
            continue;
        }
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i <= buckets_.size(); ++i) {
            cumulative += s.counts[i];
            out += name_ + "_bucket";
            AppendLabels(out, labels_, values,
                         i < buckets_.size() ? FormatValue(buckets_[i]) : "+Inf");
            out += ' ' + std::to_string(cumulative) + '\n';
        }
        out += name_ + "_sum";
        AppendLabels(out, labels_, values);
        out += ' ' + FormatValue(s.value) + '\n';
        out += name_ + "_count";
        AppendLabels(out, labels_, values);
        out += ' ' + std::to_string(s.count) + '\n';
    }
}

Family& Registry::Add(std::string name, std::string help, MetricType type,
                      std::vector<std::string> labels, std::vector<double> buckets) {
    if (!ValidName(name, true)) throw std::invalid_argument("bad metric name: " + name);
    for (const auto& l : labels) {
        if (!ValidName(l, false) || l == "le" || l.starts_with("__")) {
            throw std::invalid_argument("bad label name: " + l);
        }
    }
    if (type == MetricType::kHistogram && buckets.empty()) buckets = DurationBuckets();
    std::lock_guard lock(mu_);
    if (families_.count(name)) throw std::invalid_argument("metric registered twice: " + name);
    auto family = std::make_unique<Family>(name, std::move(help), type, std::move(labels),
                                           std::move(buckets));
    Family& ref = *family;
    families_.emplace(std::move(name), std::move(family));
    return ref;
}

void Registry::AddCollector(std::function<void()> collect) {
    std::lock_guard lock(mu_);
    collectors_.push_back(std::move(collect));
}

std::string Registry::Render() {
    std::lock_guard render(render_mu_);
    std::vector<std::function<void()>> collectors;
    {
        std::lock_guard lock(mu_);
        collectors = collectors_;
    }
    for (auto& c : collectors) c();
    std::string out;
    std::lock_guard lock(mu_);
    for (const auto& [name, family] : families_) family->Render(out);
    return out;
}

}  // namespace beacon::ops
