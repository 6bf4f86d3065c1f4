#include "engines/apertium.hpp"

#include <algorithm>
#include <map>

#include "core/subprocess.hpp"

namespace beacon::engines {

using core::Error;

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const std::string& input,
                                 std::chrono::milliseconds timeout, std::stop_token stop) {
    core::RunOptions opts;
    opts.timeout = timeout;
    opts.stop = std::move(stop);
    opts.stdin_text = input;
    opts.nonzero_exit_is_error = false;  // callers read the exit status and stderr themselves
    opts.stderr_tail_bytes = 64 << 10;
    BEACON_TRY(out, core::RunProcess(argv, opts));
    return ProcessResult{out.exit_code, std::move(out.stdout_text), std::move(out.stderr_tail)};
}

std::string ApertiumLanguage(const std::string& code) {
    static const std::map<std::string, std::string> m = {
        {"en", "eng"}, {"es", "spa"}, {"ca", "cat"}, {"fr", "fra"}, {"pt", "por"},
        {"it", "ita"}, {"de", "deu"}, {"gl", "glg"}, {"eo", "epo"}, {"oc", "oci"},
        {"eu", "eus"}, {"ro", "ron"}, {"nl", "nld"}, {"sv", "swe"}, {"da", "dan"},
        {"nb", "nob"}, {"nn", "nno"}, {"af", "afr"}, {"cy", "cym"}, {"br", "bre"},
        {"is", "isl"}, {"mk", "mkd"}};
    std::string c = code;
    std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    auto dash = c.find_first_of("-_");
    if (dash != std::string::npos && c.size() <= 5) c = c.substr(0, dash);  // en-US → en
    auto it = m.find(c);
    return it == m.end() ? c : it->second;
}

std::vector<std::string> ApertiumTranslator::Pairs() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(opts_.modes_dir, ec)) {
        if (e.path().extension() != ".mode") continue;
        std::string name = e.path().stem().string();
        // Plain pairs only ("eng-spa"), not variants or debug modes ("spa-eng_US", "eng-spa-tagger").
        auto dash = name.find('-');
        if (dash == std::string::npos || name.find('-', dash + 1) != std::string::npos) continue;
        if (name.find('_') != std::string::npos) continue;
        out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

Result<std::string> ApertiumTranslator::Translate(const std::string& text, const std::string& from,
                                                  const std::string& to, std::stop_token stop) {
    std::string pair = ApertiumLanguage(from) + "-" + ApertiumLanguage(to);
    auto pairs = Pairs();
    // Older Debian pairs are named with two-letter codes ("en-gl", "eo-en").
    if (std::find(pairs.begin(), pairs.end(), pair) == pairs.end() &&
        std::find(pairs.begin(), pairs.end(), from + "-" + to) != pairs.end())
        pair = from + "-" + to;
    if (std::find(pairs.begin(), pairs.end(), pair) == pairs.end()) {
        std::string list;
        for (const auto& p : pairs) list += (list.empty() ? "" : ", ") + p;
        return Error::Invalid("Apertium: the language pair " + from + "→" + to + " (" + pair +
                              ") is not installed; installed pairs: " +
                              (list.empty() ? "none (install e.g. apertium-eng-spa)" : list));
    }
    if (text.empty()) return std::string();
    // -u drops the '*' unknown-word marks; the text format keeps plain text as is.
    auto r = RunProcess({opts_.binary, "-u", "-f", "txt", pair}, text, opts_.timeout, stop);
    if (!r.ok()) return Error::Unavailable("Apertium (" + opts_.binary + " " + pair + "): " + r.error().message, false);
    if (r->exit_code != 0) {
        return Error::External("Apertium (" + opts_.binary + " " + pair + ") exited with code " +
                               std::to_string(r->exit_code) + ": " + r->err.substr(0, 300));
    }
    std::string out = r->out;
    // Apertium mirrors the input's trailing newline; keep the caller's shape.
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r') &&
           (text.empty() || text.back() != '\n'))
        out.pop_back();
    return out;
}

Provenance ApertiumTranslator::Describe() const {
    return Provenance{"apertium", "rule-based", Json::object(), true};
}

HealthCheck ApertiumTranslator::Check() const {
    HealthCheck h{"translation", "apertium", false, ""};
    auto pairs = Pairs();
    if (pairs.empty()) {
        h.detail = "no Apertium language pairs in " + opts_.modes_dir.string();
        return h;
    }
    auto r = RunProcess({opts_.binary, "-u", "-f", "txt", pairs.front()}, "hello\n",
                        std::chrono::milliseconds(15000), {});
    if (!r.ok() || r->exit_code != 0) {
        h.detail = "cannot run '" + opts_.binary + "': " + (r.ok() ? r->err.substr(0, 200) : r.error().message);
        return h;
    }
    h.ok = true;
    std::string list;
    for (const auto& p : pairs) list += (list.empty() ? "" : ", ") + p;
    h.detail = "pairs: " + list;
    return h;
}

}  // namespace beacon::engines
