#include "engines/error_tally.hpp"

namespace beacon::engines {

namespace {

/// Counts the error of `r`, if any, and passes `r` on unchanged.
template <typename R>
R Counted(R r, ErrorTally& tally, const std::string& service) {
    if (!r.ok()) tally.Count(service, r.error());
    return r;
}

class CountedScript final : public ScriptWriter {
public:
    CountedScript(ScriptWriter& inner, std::string service, ErrorTally& tally)
        : inner_(inner), service_(std::move(service)), tally_(tally) {}
    Result<ScriptResult> Write(const ScriptRequest& req, const LogSink& log,
                               std::stop_token stop) override {
        return Counted(inner_.Write(req, log, stop), tally_, service_);
    }
    Provenance Describe() const override { return inner_.Describe(); }

private:
    ScriptWriter& inner_;
    std::string service_;
    ErrorTally& tally_;
};

class CountedVoice final : public VoiceEngine {
public:
    CountedVoice(VoiceEngine& inner, std::string service, ErrorTally& tally)
        : inner_(inner), service_(std::move(service)), tally_(tally) {}
    Result<VoiceResult> Speak(const VoiceRequest& req, const std::filesystem::path& out_dir,
                              std::stop_token stop) override {
        return Counted(inner_.Speak(req, out_dir, stop), tally_, service_);
    }
    Result<std::vector<Voice>> ListVoices() override {
        return Counted(inner_.ListVoices(), tally_, service_);
    }
    Provenance Describe() const override { return inner_.Describe(); }

private:
    VoiceEngine& inner_;
    std::string service_;
    ErrorTally& tally_;
};

class CountedPictures final : public PictureEngine {
public:
    CountedPictures(PictureEngine& inner, std::string service, ErrorTally& tally)
        : inner_(inner), service_(std::move(service)), tally_(tally) {}
    Result<PictureResult> Paint(const PictureRequest& req, const std::filesystem::path& out_dir,
                                const LogSink& log, std::stop_token stop) override {
        return Counted(inner_.Paint(req, out_dir, log, stop), tally_, service_);
    }
    Provenance Describe() const override { return inner_.Describe(); }
    bool RendersWorlds() const override { return inner_.RendersWorlds(); }
    bool PaintsDrafts() const override { return inner_.PaintsDrafts(); }

private:
    PictureEngine& inner_;
    std::string service_;
    ErrorTally& tally_;
};

class CountedCaptions final : public CaptionEngine {
public:
    CountedCaptions(CaptionEngine& inner, std::string service, ErrorTally& tally)
        : inner_(inner), service_(std::move(service)), tally_(tally) {}
    Result<CaptionResult> Caption(const CaptionRequest& req, std::stop_token stop) override {
        return Counted(inner_.Caption(req, stop), tally_, service_);
    }
    Provenance Describe() const override { return inner_.Describe(); }

private:
    CaptionEngine& inner_;
    std::string service_;
    ErrorTally& tally_;
};

class CountedTranslator final : public Translator {
public:
    CountedTranslator(Translator& inner, std::string service, ErrorTally& tally)
        : inner_(inner), service_(std::move(service)), tally_(tally) {}
    Result<std::string> Translate(const std::string& text, const std::string& from,
                                  const std::string& to, std::stop_token stop) override {
        return Counted(inner_.Translate(text, from, to, stop), tally_, service_);
    }
    Provenance Describe() const override { return inner_.Describe(); }

private:
    Translator& inner_;
    std::string service_;
    ErrorTally& tally_;
};

class CountedEntities final : public EntityExtractor {
public:
    CountedEntities(EntityExtractor& inner, std::string service, ErrorTally& tally)
        : inner_(inner), service_(std::move(service)), tally_(tally) {}
    Result<std::vector<std::string>> Extract(const std::string& text,
                                             std::stop_token stop) override {
        return Counted(inner_.Extract(text, stop), tally_, service_);
    }
    Provenance Describe() const override { return inner_.Describe(); }

private:
    EntityExtractor& inner_;
    std::string service_;
    ErrorTally& tally_;
};

template <typename Wrapper, typename Base>
std::unique_ptr<Base> Wrap(Base* inner, const std::string& service, ErrorTally& tally) {
    if (!inner) return nullptr;
    return std::make_unique<Wrapper>(*inner, service, tally);
}

}  // namespace

void ErrorTally::Count(std::string_view service, const core::Error& e) {
    if (e.code == core::ErrorCode::kCanceled) return;
    std::lock_guard lock(mu_);
    ++counts_[{std::string(service), std::string(core::ToString(e.code))}];
}

std::vector<ErrorTally::Entry> ErrorTally::Snapshot() const {
    std::lock_guard lock(mu_);
    std::vector<Entry> out;
    out.reserve(counts_.size());
    for (const auto& [key, n] : counts_) out.push_back({key.first, key.second, n});
    return out;
}

CountedEngines::CountedEngines(EngineSet inner, const ServiceNames& names, ErrorTally& tally)
    : script_(Wrap<CountedScript>(inner.script, names.script, tally)),
      voice_(Wrap<CountedVoice>(inner.voice, names.voice, tally)),
      pictures_(Wrap<CountedPictures>(inner.pictures, names.pictures, tally)),
      captions_(Wrap<CountedCaptions>(inner.captions, names.captions, tally)),
      translator_(Wrap<CountedTranslator>(inner.translator, names.translator, tally)),
      entities_(Wrap<CountedEntities>(inner.entities, names.entities, tally)) {
    set_ = EngineSet{script_.get(),   voice_.get(),      pictures_.get(),
                     captions_.get(), translator_.get(), entities_.get()};
}

CountedEngines::~CountedEngines() = default;

}  // namespace beacon::engines
