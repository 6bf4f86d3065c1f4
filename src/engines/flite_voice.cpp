#include "engines/flite_voice.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>

extern "C" {
#include <flite/flite.h>
cst_voice* register_cmu_us_slt(const char* voxdir);
cst_voice* register_cmu_us_kal(const char* voxdir);
cst_voice* register_cmu_us_kal16(const char* voxdir);
cst_voice* register_cmu_us_awb(const char* voxdir);
cst_voice* register_cmu_us_rms(const char* voxdir);
}

namespace beacon::engines {

using core::Error;

namespace {

struct VoiceInfo {
    const char* id;
    const char* name;
    cst_voice* (*reg)(const char*);
};

const std::vector<VoiceInfo>& Catalogue() {
    static const std::vector<VoiceInfo> v = {
        {"slt", "SLT (US English, female)", register_cmu_us_slt},
        {"kal16", "Kal 16 kHz (US English, male)", register_cmu_us_kal16},
        {"kal", "Kal 8 kHz (US English, male)", register_cmu_us_kal},
        {"awb", "AWB (Scottish English, male)", register_cmu_us_awb},
        {"rms", "RMS (US English, male)", register_cmu_us_rms},
    };
    return v;
}

/// Flite's globals (voice registration, lexicon caches, feature interning) are not reentrant.
std::mutex& FliteMutex() {
    static std::mutex m;
    return m;
}

/// Needs FliteMutex held. Voices are created once and live for the process.
cst_voice* LoadVoice(const std::string& id) {
    static bool inited = false;
    static std::map<std::string, cst_voice*> loaded;
    if (!inited) {
        flite_init();
        inited = true;
    }
    std::string key = id;
    if (key.rfind("cmu_us_", 0) == 0) key = key.substr(7);
    auto it = loaded.find(key);
    if (it != loaded.end()) return it->second;
    for (const auto& v : Catalogue()) {
        if (key == v.id) {
            cst_voice* voice = v.reg(nullptr);
            loaded[key] = voice;
            return voice;
        }
    }
    return nullptr;
}

std::uint64_t Fnv(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

void PutLe(std::string& out, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

core::Status WriteWav16(const std::filesystem::path& path, const short* samples, std::size_t count,
                        int sample_rate) {
    std::string h;
    std::uint32_t data_bytes = static_cast<std::uint32_t>(count * 2);
    h += "RIFF";
    PutLe(h, 36 + data_bytes, 4);
    h += "WAVEfmt ";
    PutLe(h, 16, 4);
    PutLe(h, 1, 2);  // PCM
    PutLe(h, 1, 2);  // mono
    PutLe(h, static_cast<std::uint32_t>(sample_rate), 4);
    PutLe(h, static_cast<std::uint32_t>(sample_rate * 2), 4);
    PutLe(h, 2, 2);
    PutLe(h, 16, 2);
    h += "data";
    PutLe(h, data_bytes, 4);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) return Error::Unavailable("cannot write " + path.string(), false);
    f.write(h.data(), static_cast<std::streamsize>(h.size()));
    std::string body;
    body.reserve(data_bytes);
    for (std::size_t i = 0; i < count; ++i) PutLe(body, static_cast<std::uint16_t>(samples[i]), 2);
    f.write(body.data(), static_cast<std::streamsize>(body.size()));
    if (!f) return Error::Unavailable("cannot write " + path.string(), false);
    return {};
}

FliteVoiceEngine::FliteVoiceEngine(FliteOptions opts) : opts_(std::move(opts)) {}

Result<VoiceResult> FliteVoiceEngine::Speak(const VoiceRequest& req,
                                            const std::filesystem::path& out_dir,
                                            std::stop_token stop) {
    if (stop.stop_requested()) return Error::Canceled();
    std::string voice_id = req.voice.empty() ? opts_.default_voice : req.voice;
    bool has_letters = std::any_of(req.text.begin(), req.text.end(),
                                   [](unsigned char c) { return std::isalnum(c) != 0; });
    if (!has_letters) return Error::Invalid("flite: nothing to say (the text has no words)");
    if (req.text.size() > opts_.max_chars) {
        return Error::Invalid("flite: text of " + std::to_string(req.text.size()) +
                              " characters exceeds the limit of " + std::to_string(opts_.max_chars));
    }
    if (!req.language.empty() && req.language.rfind("en", 0) != 0) {
        return Error::Invalid("flite: only English voices are installed; cannot speak language '" +
                              req.language + "'");
    }
    VoiceResult out;
    std::vector<short> samples;
    int rate = 0;
    {
        std::lock_guard lock(FliteMutex());
        cst_voice* voice = LoadVoice(voice_id);
        if (!voice) {
            std::string list;
            for (const auto& v : Catalogue()) list += (list.empty() ? "" : ", ") + std::string(v.id);
            return Error::Invalid("flite: unknown voice '" + voice_id + "'; voices: " + list);
        }
        cst_utterance* utt = flite_synth_text(req.text.c_str(), voice);
        if (!utt) return Error::Internal("flite: synthesis failed");
        cst_wave* w = utt_wave(utt);
        if (!w || w->num_samples <= 0) {
            delete_utterance(utt);
            return Error::Internal("flite: synthesis produced no audio");
        }
        rate = w->sample_rate;
        samples.assign(w->samples, w->samples + static_cast<std::size_t>(w->num_samples) * std::max(1, w->num_channels));
        // Tokens keep the written form (with punctuation); their Word daughters' first and last
        // segments give the time span the synthesiser actually used.
        for (cst_item* tok = relation_head(utt_relation(utt, "Token")); tok; tok = item_next(tok)) {
            cst_item* first = item_daughter(tok);
            cst_item* last = item_last_daughter(tok);
            if (!first || !last) continue;
            float start = ffeature_float(first, "R:SylStructure.daughter1.daughter1.R:Segment.p.end");
            float end = ffeature_float(last, "R:SylStructure.daughtern.daughtern.R:Segment.end");
            std::string text = item_feat_present(tok, "prepunctuation")
                                   ? item_feat_string(tok, "prepunctuation") : "";
            text += item_feat_string(tok, "name");
            if (item_feat_present(tok, "punc")) text += item_feat_string(tok, "punc");
            if (end <= 0 || text.empty()) continue;
            out.words.push_back({text, start, end});
        }
        delete_utterance(utt);
    }
    if (stop.stop_requested()) return Error::Canceled();
    // Keep timings monotonic and within the clip.
    double duration = static_cast<double>(samples.size()) / rate;
    double prev = 0;
    for (auto& wt : out.words) {
        wt.start = std::clamp(wt.start, prev, duration);
        wt.end = std::clamp(wt.end, wt.start, duration);
        prev = wt.end;
    }
    char name[64];
    std::snprintf(name, sizeof name, "flite_%s_%016llx.wav", voice_id.c_str(),
                  static_cast<unsigned long long>(Fnv(voice_id + "\n" + req.text)));
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    out.audio = out_dir / name;
    BEACON_CHECK(WriteWav16(out.audio, samples.data(), samples.size(), rate));
    out.duration = duration;
    out.provenance = Describe();
    out.provenance.model = voice_id;
    out.provenance.parameters = {{"voice", voice_id}, {"sample_rate", rate}};
    return out;
}

Result<std::vector<VoiceEngine::Voice>> FliteVoiceEngine::ListVoices() {
    std::vector<Voice> out;
    for (const auto& v : Catalogue()) out.push_back({v.id, v.name, "en"});
    return out;
}

Provenance FliteVoiceEngine::Describe() const {
    return Provenance{"flite", opts_.default_voice, Json::object(), true};
}

HealthCheck FliteVoiceEngine::Check() {
    HealthCheck h{"voice", "flite", false, ""};
    std::lock_guard lock(FliteMutex());
    cst_voice* v = LoadVoice(opts_.default_voice);
    if (!v) {
        h.detail = "voice '" + opts_.default_voice + "' is not compiled in";
        return h;
    }
    cst_utterance* u = flite_synth_text("ok", v);
    bool ok = u && utt_wave(u) && utt_wave(u)->num_samples > 0;
    if (u) delete_utterance(u);
    h.ok = ok;
    h.detail = ok ? "voice '" + opts_.default_voice + "' loads and speaks" : "synthesis failed";
    return h;
}

}  // namespace beacon::engines
