#include "app/runtime.hpp"

#include <iostream>

namespace beacon::app {

core::Result<std::unique_ptr<engines::Engines>> BuildEngines(const config::Config& cfg) {
    // The config sections are the engines' own option structs (engines/options.hpp).
    engines::EngineOptions o;
    o.select = cfg.engines;
    o.builtin = cfg.builtin;
    o.ollama = cfg.ollama;
    o.comfyui = cfg.comfyui;
    o.elevenlabs = cfg.elevenlabs;
    o.whisper = cfg.whisper;
    o.service_log = [](const std::string& line) { std::cerr << "beacon: " << line << "\n"; };
    return engines::Engines::Create(o);
}

}  // namespace beacon::app
