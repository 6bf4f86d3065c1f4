#include "verse/templates.hpp"

#include <cmath>

namespace beacon::verse {

namespace {

/// Builds a document node by node.
class Scene {
public:
    Scene(std::string_view sky_top, std::string_view sky_bottom) {
        doc_ = {{"format", kFormat},
                {"version", kCurrentVersion},
                {"title", ""},
                {"environment",
                 {{"sky", {{"top", sky_top}, {"bottom", sky_bottom}}},
                  {"fog", nullptr},
                  {"ambient", {{"color", "#ffffff"}, {"intensity", 0.4}}}}},
                {"camera", {{"position", {8, 6, 12}}, {"target", {0, 1, 0}}, {"fov", 50}}},
                {"materials", Json::object()},
                {"nodes", Json::array()}};
    }
    Scene& Fog(std::string_view color, double near, double far) {
        doc_["environment"]["fog"] = {{"color", color}, {"near", near}, {"far", far}};
        return *this;
    }
    Scene& Ambient(std::string_view color, double intensity) {
        doc_["environment"]["ambient"] = {{"color", color}, {"intensity", intensity}};
        return *this;
    }
    Scene& Camera(Json position, Json target) {
        doc_["camera"]["position"] = std::move(position);
        doc_["camera"]["target"] = std::move(target);
        return *this;
    }
    Scene& Material(std::string id, std::string_view color, double roughness = 0.8,
                    double metalness = 0, std::string_view emissive = "#000000",
                    double emissive_intensity = 0) {
        doc_["materials"][id] = {{"name", id},
                                 {"color", color},
                                 {"roughness", roughness},
                                 {"metalness", metalness},
                                 {"emissive", emissive},
                                 {"emissiveIntensity", emissive_intensity},
                                 {"opacity", 1}};
        return *this;
    }
    std::string Group(std::string name, std::string parent = {}) {
        return Add("group", std::move(name), std::move(parent), {0, 0, 0}, {0, 0, 0}, {1, 1, 1});
    }
    std::string Shape(std::string_view type, std::string name, std::string material, Json position,
                      Json scale, std::string parent = {}, Json rotation = {0, 0, 0}) {
        std::string id = Add(type, std::move(name), std::move(parent), std::move(position),
                             std::move(rotation), std::move(scale));
        doc_["nodes"].back()["material"] = std::move(material);
        return id;
    }
    std::string Light(std::string name, std::string_view kind, std::string_view color,
                      double intensity, Json position, std::string parent = {}) {
        std::string id = Add("light", std::move(name), std::move(parent), std::move(position),
                             {0, 0, 0}, {1, 1, 1});
        Json light = {{"kind", kind}, {"color", color}, {"intensity", intensity}};
        if (kind == "point" || kind == "spot") light["distance"] = 0;
        if (kind == "spot") light["angle"] = 0.5;
        if (kind == "hemisphere") light["groundColor"] = "#444422";
        if (kind == "directional") light["castShadow"] = true;
        doc_["nodes"].back()["light"] = light;
        return id;
    }
    Json Finish(std::string_view title) {
        doc_["title"] = title;
        return doc_;
    }

private:
    std::string Add(std::string_view type, std::string name, std::string parent, Json position,
                    Json rotation, Json scale) {
        std::string id = "n" + std::to_string(++next_);
        doc_["nodes"].push_back({{"id", id},
                                 {"name", std::move(name)},
                                 {"parent", parent.empty() ? Json(nullptr) : Json(std::move(parent))},
                                 {"type", type},
                                 {"position", std::move(position)},
                                 {"rotation", std::move(rotation)},
                                 {"scale", std::move(scale)},
                                 {"visible", true}});
        return id;
    }
    Json doc_;
    int next_ = 0;
};

Json LighthouseCoast(std::string_view title) {
    Scene s("#f4a261", "#a8dadc");
    s.Fog("#cfe3ea", 30, 120).Camera({14, 7, 18}, {0, 4, 0});
    s.Material("sea", "#1d6fa5", 0.3, 0.1).Material("sand", "#e9d8a6").Material("rock", "#6c757d")
        .Material("tower-white", "#f8f9fa", 0.6).Material("tower-red", "#c1121f", 0.6)
        .Material("lamp", "#ffd166", 0.2, 0, "#ffd166", 2);
    s.Shape("plane", "Sea", "sea", {0, 0, 0}, {200, 200, 1}, {}, {-1.5707963, 0, 0});
    s.Shape("cylinder", "Beach", "sand", {-4, 0.1, 0}, {14, 0.4, 10});
    s.Shape("sphere", "Rock", "rock", {3, 0.6, 2}, {2.5, 1.4, 2});
    s.Shape("sphere", "Small rock", "rock", {-9, 0.4, 5}, {1.2, 0.8, 1});
    std::string tower = s.Group("Lighthouse");
    for (int i = 0; i < 4; ++i) {
        s.Shape("cylinder", "Band " + std::to_string(i + 1), i % 2 ? "tower-red" : "tower-white",
                {-2, 1.25 + 2.0 * i, -1}, {1.2 - 0.1 * i, 2, 1.2 - 0.1 * i}, tower);
    }
    s.Shape("sphere", "Lamp", "lamp", {-2, 9.4, -1}, {0.7, 0.7, 0.7}, tower);
    s.Shape("cone", "Roof", "tower-red", {-2, 10.5, -1}, {1, 1.2, 1}, tower);
    s.Light("Sun", "directional", "#fff1d6", 2.5, {20, 30, 10});
    s.Light("Lamp light", "point", "#ffd166", 8, {-2, 9.4, -1}, tower);
    s.Light("Sky light", "hemisphere", "#bde0fe", 0.6, {0, 50, 0});
    return s.Finish(title);
}

Json NeonStreet(std::string_view title) {
    Scene s("#0b0221", "#2d0b59");
    s.Fog("#1a0533", 10, 60).Ambient("#6a4c93", 0.3).Camera({0, 3, 16}, {0, 2, 0});
    s.Material("asphalt", "#1b1b1f", 0.4, 0.2).Material("wall", "#2b2d42")
        .Material("neon-pink", "#ff006e", 0.3, 0, "#ff006e", 3)
        .Material("neon-cyan", "#00f5d4", 0.3, 0, "#00f5d4", 3);
    s.Shape("plane", "Street", "asphalt", {0, 0, 0}, {12, 60, 1}, {}, {-1.5707963, 0, 0});
    std::string left = s.Group("Left block");
    std::string right = s.Group("Right block");
    for (int i = 0; i < 5; ++i) {
        double z = -20 + 8.0 * i;
        double h = 6 + (i * 7 % 5) * 2.0;
        s.Shape("box", "Building L" + std::to_string(i + 1), "wall", {-9, h / 2, z}, {6, h, 7}, left);
        s.Shape("box", "Sign L" + std::to_string(i + 1), i % 2 ? "neon-cyan" : "neon-pink",
                {-5.9, 3 + i % 3, z}, {0.2, 0.6, 3}, left);
        s.Shape("box", "Building R" + std::to_string(i + 1), "wall", {9, h / 2 + 1, z}, {6, h + 2, 7}, right);
        s.Shape("box", "Sign R" + std::to_string(i + 1), i % 2 ? "neon-pink" : "neon-cyan",
                {5.9, 2.5 + i % 2, z}, {0.2, 0.6, 3}, right);
    }
    s.Light("Pink glow", "point", "#ff006e", 30, {-5, 4, 0});
    s.Light("Cyan glow", "point", "#00f5d4", 30, {5, 4, -8});
    s.Light("Moon", "directional", "#8ecae6", 0.5, {-10, 20, 10});
    return s.Finish(title);
}

Json ForestClearing(std::string_view title) {
    Scene s("#a2d2ff", "#e9f5db");
    s.Fog("#dde5b6", 20, 90).Camera({12, 5, 14}, {0, 1.5, 0});
    s.Material("grass", "#6a994e").Material("bark", "#7f5539").Material("leaves", "#386641")
        .Material("stone", "#adb5bd").Material("fire", "#ff7b00", 0.5, 0, "#ff7b00", 2);
    s.Shape("cylinder", "Ground", "grass", {0, -0.25, 0}, {40, 0.5, 40}, {}, {0, 0, 0});
    std::string trees = s.Group("Trees");
    for (int i = 0; i < 12; ++i) {
        double a = i * 2 * 3.14159265 / 12;
        double r = 11 + (i % 3) * 2.5;
        double x = std::round(std::cos(a) * r * 100) / 100;
        double z = std::round(std::sin(a) * r * 100) / 100;
        std::string tree = s.Group("Tree " + std::to_string(i + 1), trees);
        s.Shape("cylinder", "Trunk", "bark", {x, 1.5, z}, {0.4, 3, 0.4}, tree);
        s.Shape("cone", "Crown", "leaves", {x, 4.5, z}, {2, 4, 2}, tree);
    }
    std::string camp = s.Group("Campfire");
    for (int i = 0; i < 6; ++i) {
        double a = i * 2 * 3.14159265 / 6;
        double x = std::round(std::cos(a) * 1.2 * 100) / 100;
        double z = std::round(std::sin(a) * 1.2 * 100) / 100;
        s.Shape("sphere", "Stone " + std::to_string(i + 1), "stone", {x, 0.15, z}, {0.4, 0.3, 0.4}, camp);
    }
    s.Shape("cone", "Flame", "fire", {0, 0.5, 0}, {0.6, 1, 0.6}, camp);
    s.Light("Sun", "directional", "#fff8e7", 2, {15, 25, 5});
    s.Light("Fire light", "point", "#ff9f1c", 6, {0, 1.2, 0}, camp);
    return s.Finish(title);
}

Json SpaceStation(std::string_view title) {
    Scene s("#000000", "#03045e");
    s.Ambient("#caf0f8", 0.2).Camera({18, 8, 18}, {0, 0, 0});
    s.Material("hull", "#ced4da", 0.4, 0.8).Material("panel", "#023e8a", 0.2, 0.5)
        .Material("window", "#90e0ef", 0.1, 0, "#90e0ef", 1.5).Material("planet", "#e76f51");
    std::string station = s.Group("Station");
    s.Shape("torus", "Ring", "hull", {0, 0, 0}, {6, 6, 6}, station, {1.5707963, 0, 0});
    s.Shape("cylinder", "Hub", "hull", {0, 0, 0}, {1.5, 3, 1.5}, station);
    for (int i = 0; i < 4; ++i) {
        double a = i * 3.14159265 / 2;
        double x = std::round(std::cos(a) * 300) / 100;
        double z = std::round(std::sin(a) * 300) / 100;
        s.Shape("cylinder", "Spoke " + std::to_string(i + 1), "hull", {x, 0, z}, {0.3, 6, 0.3},
                station, {1.5707963, 0, a});
    }
    s.Shape("box", "Solar panel A", "panel", {0, 3.5, 0}, {10, 0.1, 3}, station);
    s.Shape("box", "Solar panel B", "panel", {0, -3.5, 0}, {10, 0.1, 3}, station);
    s.Shape("sphere", "Observation dome", "window", {0, 1.8, 0}, {1.2, 1.2, 1.2}, station);
    s.Shape("sphere", "Planet", "planet", {-40, -20, -60}, {25, 25, 25});
    s.Light("Star", "directional", "#ffffff", 3, {30, 10, 20});
    s.Light("Beacon", "point", "#90e0ef", 5, {0, 2.5, 0}, station);
    return s.Finish(title);
}

Json EmptyStage(std::string_view title) {
    Scene s("#dee2e6", "#f8f9fa");
    s.Camera({6, 4, 8}, {0, 0.5, 0});
    s.Material("floor", "#adb5bd", 0.9);
    s.Shape("plane", "Floor", "floor", {0, 0, 0}, {20, 20, 1}, {}, {-1.5707963, 0, 0});
    s.Light("Key light", "directional", "#ffffff", 2, {5, 10, 7});
    return s.Finish(title);
}

}  // namespace

const std::vector<TemplateInfo>& Templates() {
    static const std::vector<TemplateInfo> kTemplates = {
        {"lighthouse-coast", "Lighthouse coast", "A striped lighthouse on a beach at sunset"},
        {"neon-street", "Neon street", "A night street between buildings with neon signs"},
        {"forest-clearing", "Forest clearing", "A ring of trees around a campfire"},
        {"space-station", "Space station", "A ring station with solar panels above a planet"},
        {"empty-stage", "Empty stage", "A floor and one light"},
    };
    return kTemplates;
}

core::Result<Json> MakeTemplate(std::string_view id, std::string_view title) {
    if (id == "lighthouse-coast") return LighthouseCoast(title);
    if (id == "neon-street") return NeonStreet(title);
    if (id == "forest-clearing") return ForestClearing(title);
    if (id == "space-station") return SpaceStation(title);
    if (id == "empty-stage") return EmptyStage(title);
    return core::Error::NotFound("no world template \"" + std::string(id) + "\"");
}

}  // namespace beacon::verse
