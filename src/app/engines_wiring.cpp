#include "app/runtime.hpp"

#include <iostream>

namespace beacon::app {

core::Result<std::unique_ptr<engines::Engines>> BuildEngines(const config::Config& cfg) {
    using std::chrono::seconds;
    engines::EngineOptions o;
    o.select.script = cfg.engines.script;
    o.select.voice = cfg.engines.voice;
    o.select.pictures = cfg.engines.pictures;
    o.select.captions = cfg.engines.captions;
    o.select.translation = cfg.engines.translation;
    o.select.entities = cfg.engines.entities;
    o.builtin.voice = cfg.builtin.voice;
    o.builtin.voice_concurrency = cfg.builtin.voice_concurrency;
    o.builtin.pictures_concurrency = cfg.builtin.pictures_concurrency;
    o.ollama.host = cfg.ollama.host;
    o.ollama.hosts = cfg.ollama.hosts;
    o.ollama.model = cfg.ollama.model;
    o.ollama.timeout = seconds(cfg.ollama.timeout_seconds);
    o.ollama.concurrency = cfg.ollama.concurrency;
    o.comfyui.host = cfg.comfyui.host;
    o.comfyui.hosts = cfg.comfyui.hosts;
    o.comfyui.checkpoint = cfg.comfyui.checkpoint;
    if (!cfg.comfyui.workflow.empty()) o.comfyui.workflow = cfg.comfyui.workflow;
    o.comfyui.steps = cfg.comfyui.steps;
    o.comfyui.timeout = seconds(cfg.comfyui.timeout_seconds);
    o.comfyui.concurrency = cfg.comfyui.concurrency;
    o.comfyui.style_checkpoints = cfg.comfyui.style_checkpoints;
    o.comfyui.max_batch = cfg.comfyui.max_batch;
    o.elevenlabs.api_key = cfg.elevenlabs.api_key;
    o.elevenlabs.voice_id = cfg.elevenlabs.voice_id;
    o.elevenlabs.model_id = cfg.elevenlabs.model_id;
    o.elevenlabs.base_url = cfg.elevenlabs.base_url;
    o.elevenlabs.output_format = cfg.elevenlabs.output_format;
    o.elevenlabs.timeout = seconds(cfg.elevenlabs.timeout_seconds);
    o.elevenlabs.concurrency = cfg.elevenlabs.concurrency;
    if (!cfg.whisper.url.empty()) o.whisper.url = cfg.whisper.url;
    o.whisper.api = cfg.whisper.api;
    o.whisper.model = cfg.whisper.model;
    o.whisper.timeout = seconds(cfg.whisper.timeout_seconds);
    o.whisper.api_key = cfg.whisper.api_key;
    o.whisper.vad = cfg.whisper.vad;
    o.whisper.max_concurrent = cfg.whisper.max_concurrent;
    o.service_log = [](const std::string& line) { std::cerr << "beacon: " << line << "\n"; };
    return engines::Engines::Create(o);
}

}  // namespace beacon::app
