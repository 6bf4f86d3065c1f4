#pragma once
/// Built-in translator through Apertium (engine "apertium"): runs `apertium -u <pair>` as a
/// child process (argv vector, no shell), text on stdin, translation on stdout.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "engines/engines.hpp"
#include "engines/options.hpp"

namespace beacon::engines {

/// Result of a child process run.
struct ProcessResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};
/// Runs argv (argv[0] searched on PATH) with `input` on stdin; kills it on stop or timeout
/// (core::RunProcess, the one runner; a non-zero exit is returned, not an error).
core::Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const std::string& input,
                                       std::chrono::milliseconds timeout, std::stop_token stop);

/// Maps ISO 639-1 codes to Apertium's 639-3 ("en" → "eng"); other codes pass through.
std::string ApertiumLanguage(const std::string& code);

class ApertiumTranslator final : public Translator {
public:
    explicit ApertiumTranslator(ApertiumOptions opts = {}) : opts_(std::move(opts)) {}
    /// from/to as ISO codes ("en", "es") or Apertium codes ("eng", "spa").
    Result<std::string> Translate(const std::string& text, const std::string& from,
                                  const std::string& to, std::stop_token stop) override;
    Provenance Describe() const override;
    /// Installed pairs, e.g. {"eng-spa", "spa-eng"}.
    std::vector<std::string> Pairs() const;
    /// Binary present and at least one pair installed.
    HealthCheck Check() const;

private:
    ApertiumOptions opts_;
};

}  // namespace beacon::engines
