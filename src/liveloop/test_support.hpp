#pragma once
/// Helpers for LiveLoop's tests: catalog items described like a real segments.json.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "liveloop/timeline.hpp"

namespace beacon::liveloop::testing {

/// segments.json text for an item with the given video segment durations, audio languages
/// (first = original) and subtitle languages, all on the video grid.
inline std::string ManifestJson(const std::vector<double>& durations,
                                const std::vector<std::string>& audio,
                                const std::vector<std::string>& subs, double first_pts = 1.4,
                                int width = 1280) {
    nlohmann::ordered_json j;
    j["version"] = 1;
    j["segment_seconds"] = 4;
    j["fps"] = 25;
    j["width"] = width;
    j["height"] = 720;
    j["video_codecs"] = "avc1.640028";
    j["audio_codecs"] = "mp4a.40.2";
    j["first_pts"] = first_pts;
    auto list = [&](const std::string& folder, const char* ext) {
        nlohmann::ordered_json l = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < durations.size(); ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "/seg_%05zu.%s", i, ext);
            l.push_back({{"uri", folder + name}, {"duration", durations[i]}});
        }
        return l;
    };
    j["video"] = list("video", "ts");
    j["audio"] = nlohmann::ordered_json::object();
    for (const auto& a : audio) j["audio"][a] = list("audio_" + a, "ts");
    j["subtitles"] = nlohmann::ordered_json::object();
    for (const auto& s : subs) j["subtitles"][s] = list("subs_" + s, "vtt");
    return j.dump();
}

inline std::shared_ptr<const CatalogItem> Item(std::int64_t id, const std::vector<double>& d,
                                               const std::vector<std::string>& audio = {"en"},
                                               const std::vector<std::string>& subs = {},
                                               int td = 4, int width = 1280) {
    auto m = ParseManifest(ManifestJson(d, audio, subs, 1.4, width));
    if (!m.ok()) throw std::runtime_error(m.error().message);
    auto item = MakeCatalogItem(id, "Item " + std::to_string(id), "About item " +
                                std::to_string(id), std::move(m).value(), td, 2000000);
    if (!item.ok()) throw std::runtime_error(item.error().message);
    return item.value();
}

inline std::shared_ptr<const CatalogItem> Gone(const std::shared_ptr<const CatalogItem>& item) {
    auto copy = std::make_shared<CatalogItem>(*item);
    copy->gone = true;
    return copy;
}

}  // namespace beacon::liveloop::testing
