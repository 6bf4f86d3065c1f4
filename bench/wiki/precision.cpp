/// Entity precision (issue 15): the built-in extractor and the ZIM resolver on a labelled set
/// (bench/wiki/labelled.json, the development set; bench/wiki/heldout.json, never tuned to)
/// against the test ZIM. Prints precision and recall of each.
/// usage: wiki_precision LABELLED.json TEST.zim
#include <fstream>
#include <iostream>
#include <set>

#include "engines/entities.hpp"
#include "wiki/fact.hpp"
#include "wiki/mentions.hpp"
#include "wiki/zim_source.hpp"

using namespace beacon;

int main(int argc, char** argv) {
    if (argc != 3) return std::cerr << "usage: wiki_precision LABELLED.json TEST.zim\n", 2;
    std::ifstream in(argv[1]);
    const auto set = core::Json::parse(in);
    auto zim = wiki::ZimFactSource::Open({argv[2], "/wiki/", ""});
    if (!zim.ok()) return std::cerr << zim.error().message << "\n", 1;
    wiki::LookupFn lookup = [&](std::string_view n, std::stop_token s) { return (*zim)->Lookup(n, s); };
    int ex_tp = 0, ex_fp = 0, ex_fn = 0;       // extractor: names
    int res_ok = 0, res_wrong = 0, res_missed = 0, shown_dab = 0;  // resolver: articles
    for (const auto& s : set["scripts"]) {
        const std::string text = s["text"];
        std::set<std::string> want;
        for (auto it = s["entities"].begin(); it != s["entities"].end(); ++it) want.insert(it.key());
        const auto got = engines::ExtractEntitiesHeuristic(text);
        std::set<std::string> got_set(got.begin(), got.end());
        for (const auto& g : got_set) {
            if (want.contains(g)) ++ex_tp; else { ++ex_fp; std::cout << "extra:   " << g << "  | " << text << "\n"; }
        }
        for (const auto& w : want) {
            if (!got_set.contains(w)) { ++ex_fn; std::cout << "missed:  " << w << "  | " << text << "\n"; }
        }
        // The resolver on the labelled names, with the script as context.
        std::string all = text;
        for (const auto& w : want) all += " " + w;
        const auto context = wiki::ContextWords(all);
        for (auto it = s["entities"].begin(); it != s["entities"].end(); ++it) {
            auto f = wiki::ResolveFact(lookup, it.key(), context, {});
            if (!f.ok()) return std::cerr << f.error().message << "\n", 1;
            if (f->resolved && f->summary.find("may refer to") != std::string::npos) ++shown_dab;
            const bool expected = !it.value().is_null();
            if (f->resolved) {
                if (expected && f->title == it.value().get<std::string>()) ++res_ok;
                else { ++res_wrong; std::cout << "wrong:   " << it.key() << " -> " << f->title << "  | " << text << "\n"; }
            } else if (expected) {
                ++res_missed;
                std::cout << "unresolved: " << it.key() << (f->ambiguous ? " (ambiguous)" : "") << "  | " << text << "\n";
            }
        }
    }
    auto ratio = [](int a, int b) { return b == 0 ? 1.0 : static_cast<double>(a) / b; };
    std::cout << "\nscripts: " << set["scripts"].size() << "  (system word list: "
              << (engines::EntityLexiconAvailable() ? "yes" : "no") << ")\n"
              << "extractor  precision " << ratio(ex_tp, ex_tp + ex_fp) << "  recall "
              << ratio(ex_tp, ex_tp + ex_fn) << "  (tp " << ex_tp << ", fp " << ex_fp << ", fn "
              << ex_fn << ")\n"
              << "resolver   precision " << ratio(res_ok, res_ok + res_wrong) << "  recall "
              << ratio(res_ok, res_ok + res_missed) << "  (right " << res_ok << ", wrong "
              << res_wrong << ", unresolved " << res_missed << "); disambiguation pages shown: "
              << shown_dab << "\n";
    return 0;
}
