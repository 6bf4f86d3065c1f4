#include "engines/factory.hpp"

#include <cstdio>

namespace beacon::engines {

using core::Error;

Result<std::unique_ptr<Engines>> Engines::Create(const EngineOptions& opts) {
    std::unique_ptr<Engines> e(new Engines());
    e->opts_ = opts;
    const auto& s = opts.select;
    auto bad = [](const std::string& cap, core::Engine v, const std::string& allowed) {
        return Error::Invalid("engines." + cap + ": engine '" + std::string(core::ToString(v)) +
                              "' does not serve this (use " + allowed + ")");
    };
    // Script writer.
    if (s.script == core::Engine::kBuiltin) {
        e->scripts_.push_back(std::make_unique<BuiltinPlanner>());
    } else if (s.script == core::Engine::kOllama) {
        if (opts.ollama.hosts.size() > 1) {
            std::vector<HostPool::Host> hosts;
            std::vector<ScriptWriter*> writers;
            for (const auto& h : opts.ollama.hosts) {
                OllamaOptions o = opts.ollama;
                o.host = h;
                e->scripts_.push_back(std::make_unique<OllamaScriptWriter>(o, e->http_));
                writers.push_back(e->scripts_.back().get());
                hosts.push_back({h, opts.ollama.concurrency});
            }
            e->pools_.emplace_back("ollama", std::make_unique<HostPool>(std::move(hosts)));
            e->scripts_.push_back(std::make_unique<PooledScriptWriter>(
                std::move(writers), *e->pools_.back().second, "Ollama"));
        } else {
            e->scripts_.push_back(std::make_unique<OllamaScriptWriter>(opts.ollama, e->http_));
            e->scripts_.push_back(std::make_unique<LimitedScriptWriter>(*e->scripts_.back(), opts.ollama.concurrency));
        }
    } else {
        return bad("script", s.script, "builtin or ollama");
    }
    e->set_.script = e->scripts_.back().get();
    // Voice.
    if (s.voice == core::Engine::kBuiltin) {
        e->voices_.push_back(std::make_unique<FliteVoiceEngine>(FliteOptions{opts.builtin.voice}));
        e->voices_.push_back(std::make_unique<LimitedVoiceEngine>(*e->voices_.back(), opts.builtin.voice_concurrency));
    } else if (s.voice == core::Engine::kElevenLabs) {
        e->voices_.push_back(std::make_unique<ElevenLabsVoiceEngine>(opts.elevenlabs, e->http_));
        e->voices_.push_back(std::make_unique<LimitedVoiceEngine>(*e->voices_.back(), opts.elevenlabs.concurrency));
    } else {
        return bad("voice", s.voice, "builtin or elevenlabs");
    }
    e->set_.voice = e->voices_.back().get();
    // Pictures.
    if (s.pictures == core::Engine::kBuiltin) {
        e->pictures_.push_back(std::make_unique<StoryboardPainter>(opts.builtin.storyboard));
        e->pictures_.push_back(std::make_unique<LimitedPictureEngine>(*e->pictures_.back(), opts.builtin.pictures_concurrency));
    } else if (s.pictures == core::Engine::kComfyUi) {
        // Always behind the pool's scheduler, one host or many: it groups pictures by
        // checkpoint and puts several in one prompt where the template allows.
        const std::vector<std::string> urls = opts.comfyui.hosts.empty()
                                                  ? std::vector<std::string>{opts.comfyui.host}
                                                  : opts.comfyui.hosts;
        std::vector<HostPool::Host> hosts;
        std::vector<PictureEngine*> painters;
        for (const auto& h : urls) {
            ComfyOptions o = opts.comfyui;
            o.host = h;
            e->pictures_.push_back(std::make_unique<ComfyPictureEngine>(o, e->http_));
            painters.push_back(e->pictures_.back().get());
            hosts.push_back({h, opts.comfyui.concurrency});
        }
        e->pools_.emplace_back("comfyui", std::make_unique<HostPool>(std::move(hosts)));
        e->pictures_.push_back(std::make_unique<PooledPictureEngine>(
            std::move(painters), *e->pools_.back().second, "ComfyUI"));
    } else {
        return bad("pictures", s.pictures, "builtin or comfyui");
    }
    e->set_.pictures = e->pictures_.back().get();
    // Captions.
    if (s.captions == core::Engine::kBuiltin) {
        e->captions_ = std::make_unique<ExactCaptionEngine>();
    } else if (s.captions == core::Engine::kWhisper) {
        e->captions_ = std::make_unique<WhisperCaptionEngine>(opts.whisper, e->http_);
    } else {
        return bad("captions", s.captions, "builtin or whisper");
    }
    e->set_.captions = e->captions_.get();
    // Translation.
    if (s.translation == core::Engine::kBuiltin) {
        e->translator_ = std::make_unique<ApertiumTranslator>(opts.builtin.apertium);
    } else if (s.translation == core::Engine::kOllama) {
        e->translator_ = std::make_unique<OllamaTranslator>(opts.ollama, e->http_, opts.service_log);
    } else {
        return bad("translation", s.translation, "builtin or ollama");
    }
    e->set_.translator = e->translator_.get();
    // Entities.
    if (s.entities == core::Engine::kBuiltin) {
        e->entities_ = std::make_unique<HeuristicEntityExtractor>();
    } else if (s.entities == core::Engine::kOllama) {
        e->entities_ = std::make_unique<OllamaEntityExtractor>(opts.ollama, e->http_, opts.service_log);
    } else {
        return bad("entities", s.entities, "builtin or ollama");
    }
    e->set_.entities = e->entities_.get();
    // Every call through Set() counts its failures by service (beacon_engine_errors_total).
    auto named = [](core::Engine selected, const char* builtin) {
        return selected == core::Engine::kBuiltin ? std::string(builtin)
                                                  : std::string(core::ToString(selected));
    };
    ServiceNames names{named(s.script, "planner"),       named(s.voice, "flite"),
                       named(s.pictures, "storyboard"),  named(s.captions, "exact_captions"),
                       named(s.translation, "apertium"), named(s.entities, "heuristic_entities")};
    e->counted_ = std::make_unique<CountedEngines>(e->set_, std::move(names), e->errors_);
    e->set_ = e->counted_->Set();
    return e;
}

std::string HostFigures(const HostStatus& st, const std::string& unit) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", st.per_minute);
    std::string out = std::to_string(st.units) + " " + unit + ", " + rate + "/min, " +
                      std::to_string(st.in_flight) + " of " + std::to_string(st.slots) +
                      " slots busy, " + std::to_string(st.queued_units) + " queued";
    if (!st.model.empty()) {
        out += ", " + std::to_string(st.model_switches) + " checkpoint switches (now " +
               st.model + ")";
    }
    return out + (st.up ? "" : ", out of rotation");
}

Engines::~Engines() {
    counted_.reset();
    while (!pictures_.empty()) pictures_.pop_back();
    while (!scripts_.empty()) scripts_.pop_back();
    while (!voices_.empty()) voices_.pop_back();
}

HealthCheck Engines::PoolCheck(const std::string& capability, const std::string& engine,
                               const std::string& service, const std::vector<HealthCheck>& hosts,
                               const std::string& unit) const {
    const HostPool* pool = nullptr;
    for (const auto& [name, p] : pools_) {
        if (name == engine) pool = p.get();
    }
    std::vector<HostStatus> status = pool ? pool->Status() : std::vector<HostStatus>{};
    int ok = 0;
    std::string detail;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        ok += hosts[i].ok ? 1 : 0;
        detail += (detail.empty() ? "" : "; ") + std::string(hosts[i].ok ? "up: " : "DOWN: ") +
                  hosts[i].detail;
        if (i < status.size()) detail += " (" + HostFigures(status[i], unit) + ")";
    }
    HealthCheck h{capability, engine, ok > 0, ""};
    h.detail = service + " pool: " + std::to_string(ok) + " of " + std::to_string(hosts.size()) +
               " hosts answer" + (ok > 0 && ok < static_cast<int>(hosts.size())
                                      ? " (jobs go to the others)"
                                      : "") +
               ". " + detail;
    if (pool && pool->Waiting() > 0) {
        h.detail += "; " + std::to_string(pool->Waiting()) + " " + unit + " waiting for a host";
    }
    return h;
}

std::vector<std::pair<std::string, const HostPool*>> Engines::Pools() const {
    std::vector<std::pair<std::string, const HostPool*>> out;
    for (const auto& [name, pool] : pools_) out.emplace_back(name, pool.get());
    return out;
}

std::vector<HealthCheck> Engines::Check() const {
    std::vector<HealthCheck> out;
    const auto& s = opts_.select;
    if (s.script == core::Engine::kOllama && opts_.ollama.hosts.size() > 1) {
        std::vector<HealthCheck> hosts;
        for (const auto& h : opts_.ollama.hosts) {
            OllamaOptions o = opts_.ollama;
            o.host = h;
            hosts.push_back(CheckOllama(o, http_, "script"));
        }
        out.push_back(PoolCheck("script", "ollama", "Ollama", hosts, "scripts"));
    } else if (s.script == core::Engine::kOllama) {
        out.push_back(CheckOllama(opts_.ollama, http_, "script"));
    } else {
        out.push_back({"script", "builtin-planner", true, "rule-based planner (no dependencies)"});
    }
    if (s.voice == core::Engine::kElevenLabs) {
        out.push_back(CheckElevenLabs(opts_.elevenlabs, http_));
    } else {
        out.push_back(FliteVoiceEngine(FliteOptions{opts_.builtin.voice}).Check());
    }
    if (s.pictures == core::Engine::kComfyUi && opts_.comfyui.hosts.size() <= 1) {
        HealthCheck h = CheckComfy(opts_.comfyui, http_);
        for (const auto& [name, pool] : pools_) {
            if (name == "comfyui" && pool->size() == 1) {
                h.detail += " (" + HostFigures(pool->Status().front(), "pictures") + ")";
            }
        }
        out.push_back(h);
    } else if (s.pictures == core::Engine::kComfyUi) {
        // One line for the pool: it works while any host does, and says which do not.
        std::vector<HealthCheck> hosts;
        for (const auto& h : opts_.comfyui.hosts) {
            ComfyOptions o = opts_.comfyui;
            o.host = h;
            hosts.push_back(CheckComfy(o, http_));
        }
        out.push_back(PoolCheck("pictures", "comfyui", "ComfyUI", hosts, "pictures"));
    } else {
        out.push_back(StoryboardPainter(opts_.builtin.storyboard).Check());
    }
    if (s.captions == core::Engine::kWhisper) {
        out.push_back(CheckWhisper(opts_.whisper, http_));
    } else {
        out.push_back({"captions", "exact-captions", true, "captions from the voice engine's word timings"});
    }
    if (s.translation == core::Engine::kOllama) {
        out.push_back(CheckOllama(opts_.ollama, http_, "translation"));
    } else if (s.translation == core::Engine::kBuiltin) {
        out.push_back(ApertiumTranslator(opts_.builtin.apertium).Check());
    }
    if (s.entities == core::Engine::kOllama) {
        out.push_back(CheckOllama(opts_.ollama, http_, "entities"));
    } else if (s.entities == core::Engine::kBuiltin) {
        out.push_back({"entities", "heuristic-entities", true, "title-case runs and a stop list"});
    }
    return out;
}

}  // namespace beacon::engines
