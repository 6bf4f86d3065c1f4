#pragma once
/// The operations of api/openapi.yaml that one module serves: "METHOD /path" for every path
/// marked `x-module: <module>` right under its path line (a line parser for the file's fixed
/// layout: paths at two spaces of indent, methods at four). Each module's route test compares
/// its route table with this; the core contract test leaves these paths out.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace beacon::testing {

inline std::set<std::string> ModuleSpecOperations(std::string_view module) {
    const std::string file = std::string(BEACON_SOURCE_DIR) + "/api/openapi.yaml";
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file);
    const std::string marker = "    x-module: " + std::string(module);
    static const std::regex kPath(R"(^  (/\S*):\s*$)");
    static const std::regex kMethod(R"(^    (get|post|patch|put|delete):\s*$)");
    std::set<std::string> ops;
    std::string line, path;
    bool ours = false;
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_match(line, m, kPath)) {
            path = m[1];
            ours = false;
        } else if (line == marker) {
            ours = true;
        } else if (ours && std::regex_match(line, m, kMethod)) {
            std::string method = m[1];
            std::transform(method.begin(), method.end(), method.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            ops.insert(method + " " + path);
        }
    }
    return ops;
}

}  // namespace beacon::testing
