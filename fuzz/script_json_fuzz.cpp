// The writer's (LLM's) answer: text that should hold a JSON script.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engines/planner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)beacon::engines::ValidateScriptAnswer(text, 20.0, false);
    (void)beacon::engines::ValidateScriptAnswer(text, 7.5, true);
    (void)beacon::engines::RequestedSceneCount(text);
    return 0;
}
