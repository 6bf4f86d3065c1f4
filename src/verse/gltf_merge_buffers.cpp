// Bytes of a model being merged: buffers (GLB chunk or data: URIs), views and accessors, each
// range checked against what backs it before it is copied; bounds recomputed from the data.
#include "verse/gltf_merge_internal.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace beacon::verse {

using core::Error;
using core::Result;
using core::Status;
using gltf_merge::kNone;

namespace {

constexpr std::uint64_t kMaxSparse = 1'000'000;  // sparse entries of one accessor

std::uint64_t ComponentBytes(std::uint64_t type) {
    switch (type) {
        case 5120:
        case 5121:
            return 1;
        case 5122:
        case 5123:
            return 2;
        case 5125:
        case 5126:
            return 4;
        default:
            return 0;
    }
}

std::uint64_t Components(const Json& type) {
    if (!type.is_string()) return 0;
    const auto& t = type.get_ref<const std::string&>();
    if (t == "SCALAR") return 1;
    if (t == "VEC2") return 2;
    if (t == "VEC3") return 3;
    if (t == "VEC4" || t == "MAT2") return 4;
    if (t == "MAT3") return 9;
    if (t == "MAT4") return 16;
    return 0;
}

/// Matrix columns are 4-byte aligned in glTF: MAT2 of bytes and MAT3 of bytes/shorts have gaps.
std::uint64_t ElementBytes(std::uint64_t component, const Json& type) {
    std::uint64_t n = Components(type);
    const std::string t = type.is_string() ? type.get<std::string>() : "";
    if (t == "MAT2" && component == 1) return 8;
    if (t == "MAT3" && component == 1) return 12;
    if (t == "MAT3" && component == 2) return 24;
    return n * component;
}

/// Byte offset of component `c` inside one element (column padding of small matrices).
std::uint64_t ComponentOffset(std::uint64_t c, std::uint64_t component, const Json& type) {
    const std::string t = type.get<std::string>();
    if (t == "MAT2" && component == 1) return (c / 2) * 4 + (c % 2);
    if (t == "MAT3" && (component == 1 || component == 2))
        return (c / 3) * 4 * component + (c % 3) * component;
    return c * component;
}

double ReadComponent(const char* p, std::uint64_t type) {
    switch (type) {
        case 5120: {
            std::int8_t v;
            std::memcpy(&v, p, 1);
            return v;
        }
        case 5121: {
            std::uint8_t v;
            std::memcpy(&v, p, 1);
            return v;
        }
        case 5122: {
            std::int16_t v;
            std::memcpy(&v, p, 2);
            return v;
        }
        case 5123: {
            std::uint16_t v;
            std::memcpy(&v, p, 2);
            return v;
        }
        case 5125: {
            std::uint32_t v;
            std::memcpy(&v, p, 4);
            return v;
        }
        default: {
            float v;
            std::memcpy(&v, p, 4);
            return v;
        }
    }
}

}  // namespace

Result<std::string_view> MergedModel::State::BufferData(std::uint64_t index) const {
    const Json& b = List("buffers")[index];
    if (index < buffers.size() && !buffers[index].empty()) return std::string_view(buffers[index]);
    if (!b.contains("uri") && index == 0) return bin;
    return std::string_view();
}

Status MergedModel::State::LoadBuffers(bool glb) {
    const Json& list = List("buffers");
    buffers.resize(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Json& b = list[i];
        if (!b.is_object()) return Bad("buffer " + std::to_string(i) + " is not an object");
        auto declared = Field(b, "byteLength");
        if (!declared || *declared == kNone)
            return Bad("buffer " + std::to_string(i) + " has no byteLength");
        std::uint64_t have = 0;
        if (b.contains("uri")) {
            BEACON_TRY(data, DataUri(b["uri"], "buffer " + std::to_string(i)));
            buffers[i] = std::move(data.second);
            have = buffers[i].size();
        } else {
            if (!glb || i != 0) return Bad("buffer " + std::to_string(i) + " has no data");
            have = bin.size();
        }
        if (*declared > have) {
            return Bad("buffer " + std::to_string(i) + " declares " + std::to_string(*declared) +
                       " bytes but holds " + std::to_string(have));
        }
    }
    return {};
}

Result<std::pair<std::string, std::string>> MergedModel::State::DataUri(
    const Json& uri, const std::string& what) const {
    if (!uri.is_string()) return Bad(what + ": uri is not a string");
    const auto& s = uri.get_ref<const std::string&>();
    if (s.rfind("data:", 0) != 0)
        return Bad(what + " refers to an outside file (" + s.substr(0, 80) + ")");
    auto comma = s.find(',');
    if (comma == std::string::npos) return Bad(what + ": broken data URI");
    std::string_view head(s.data() + 5, comma - 5);
    if (head.size() < 7 || head.substr(head.size() - 7) != ";base64") {
        return Bad(what + ": data URI is not base64");
    }
    auto data = DecodeBase64(std::string_view(s).substr(comma + 1));
    if (!data) return Bad(what + ": data URI is not valid base64");
    return std::pair{std::string(head.substr(0, head.size() - 7)), std::move(*data)};
}

Result<std::string_view> MergedModel::State::ViewBytes(std::uint64_t index) const {
    const Json& views = List("bufferViews");
    if (index >= views.size())
        return Bad("bufferView " + std::to_string(index) + " does not exist");
    const Json& v = views[index];
    if (!v.is_object()) return Bad("bufferView " + std::to_string(index) + " is not an object");
    BEACON_TRY(buffer, Ref(v, "buffer", List("buffers").size(), "buffer"));
    BEACON_TRY(data, BufferData(buffer));
    auto offset = Field(v, "byteOffset").value_or(0);
    auto length = Field(v, "byteLength").value_or(kNone);
    if (offset == kNone || length == kNone || offset > data.size() ||
        length > data.size() - offset) {
        return Bad("bufferView " + std::to_string(index) + " lies outside buffer " +
                   std::to_string(buffer));
    }
    return data.substr(offset, length);
}

Result<std::uint64_t> MergedModel::State::CopyView(std::uint64_t index, GltfBuilder& out) {
    if (index >= view_map.size())
        return Bad("bufferView " + std::to_string(index) + " does not exist");
    if (view_map[index] != kNone) return view_map[index];
    BEACON_TRY(bytes, ViewBytes(index));
    const Json& v = List("bufferViews")[index];
    auto stride = Field(v, "byteStride").value_or(0);
    if (stride == kNone || (stride != 0 && (stride < 4 || stride > 252 || stride % 4))) {
        return Bad("bufferView " + std::to_string(index) + " has a bad byteStride");
    }
    auto target = Field(v, "target").value_or(0);
    if (target != 0 && target != 34962 && target != 34963) target = 0;
    view_map[index] = static_cast<std::uint64_t>(out.View(bytes, static_cast<int>(target), stride));
    if (out.bin.size() > limits->max_bytes) {
        return Error{core::ErrorCode::kTooLarge, "export: the GLB would be larger than " +
                                                     std::to_string(limits->max_bytes) + " bytes"};
    }
    return view_map[index];
}

Result<std::string_view> MergedModel::State::Elements(std::uint64_t view, std::uint64_t offset,
                                                      std::uint64_t count, std::uint64_t elem,
                                                      std::uint64_t stride,
                                                      const std::string& what) const {
    BEACON_TRY(bytes, ViewBytes(view));
    if (count == 0) return bytes;
    if (offset > bytes.size() || count > bytes.size() ||
        (count - 1) > (bytes.size() - offset) / std::max<std::uint64_t>(stride, 1) ||
        offset + (count - 1) * stride + elem > bytes.size()) {
        return Bad(what + " declares " + std::to_string(count) +
                   " elements, more than bufferView " + std::to_string(view) + " holds");
    }
    return bytes;
}

Result<std::uint64_t> MergedModel::State::CopyAccessor(std::uint64_t index, GltfBuilder& out) {
    if (index >= accessor_map.size())
        return Bad("accessor " + std::to_string(index) + " does not exist");
    if (accessor_map[index] != kNone) return accessor_map[index];
    const Json& a = List("accessors")[index];
    const std::string what = "accessor " + std::to_string(index);
    if (!a.is_object()) return Bad(what + " is not an object");
    auto component = Field(a, "componentType").value_or(kNone);
    std::uint64_t csize = ComponentBytes(component);
    std::uint64_t ncomp = Components(a.value("type", Json()));
    auto count = Field(a, "count").value_or(kNone);
    if (csize == 0 || ncomp == 0) return Bad(what + " has an unknown type");
    if (count == kNone || count == 0) return Bad(what + " has no count");
    if (count > limits->assets.max_model_bytes)
        return Bad(what + " declares " + std::to_string(count) + " elements");
    std::uint64_t elem = ElementBytes(csize, a["type"]);
    Json copy = {{"componentType", component}, {"count", count}, {"type", a["type"]}};
    if (a.contains("name")) copy["name"] = a["name"];
    if (a.value("normalized", false)) copy["normalized"] = true;
    // Bounds are recomputed from the data (declared ones may be missing or wrong), streaming:
    // the base values (zeros without a bufferView) except where sparse values replace them.
    bool bounds = (needs_bounds.count(index) || a.contains("min") || a.contains("max")) &&
                  !draco_accessors.count(index);
    std::vector<double> mn(ncomp, std::numeric_limits<double>::infinity());
    std::vector<double> mx(ncomp, -std::numeric_limits<double>::infinity());
    bool finite = true;
    auto take = [&](const char* p, std::uint64_t c) {
        double v = p ? ReadComponent(p + ComponentOffset(c, csize, a["type"]), component) : 0.0;
        if (!std::isfinite(v)) finite = false;
        mn[c] = std::min(mn[c], v);
        mx[c] = std::max(mx[c], v);
    };
    std::vector<std::uint64_t> replaced;  // sorted sparse indices
    std::string_view sparse_values;
    std::uint64_t sparse_offset = 0;
    if (a.contains("sparse")) {
        const Json& s = a["sparse"];
        auto n = s.is_object() ? Field(s, "count").value_or(kNone) : kNone;
        if (n == kNone || n == 0 || n > count) return Bad(what + ": sparse count is out of range");
        if (n > kMaxSparse)
            return Bad(what + ": sparse count " + std::to_string(n) + " is over " +
                       std::to_string(kMaxSparse));
        if (!s.contains("indices") || !s["indices"].is_object() || !s.contains("values") ||
            !s["values"].is_object()) {
            return Bad(what + ": sparse without indices or values");
        }
        const Json& si = s["indices"];
        const Json& sv = s["values"];
        auto itype = Field(si, "componentType").value_or(kNone);
        if (itype != 5121 && itype != 5123 && itype != 5125)
            return Bad(what + ": sparse index type");
        std::uint64_t isize = ComponentBytes(itype);
        auto iview = Field(si, "bufferView").value_or(kNone);
        auto ioff = Field(si, "byteOffset").value_or(0);
        auto vview = Field(sv, "bufferView").value_or(kNone);
        auto voff = Field(sv, "byteOffset").value_or(0);
        if (iview == kNone || vview == kNone || ioff == kNone || voff == kNone) {
            return Bad(what + ": sparse bufferViews are missing");
        }
        BEACON_TRY(ibytes, Elements(iview, ioff, n, isize, isize, what + " sparse indices"));
        BEACON_TRY(vbytes, Elements(vview, voff, n, elem, elem, what + " sparse values"));
        BEACON_TRY(imapped, CopyView(iview, out));
        BEACON_TRY(vmapped, CopyView(vview, out));
        Json sc = {{"count", n},
                   {"indices", {{"bufferView", imapped}, {"componentType", itype}}},
                   {"values", {{"bufferView", vmapped}}}};
        if (ioff) sc["indices"]["byteOffset"] = ioff;
        if (voff) sc["values"]["byteOffset"] = voff;
        copy["sparse"] = sc;
        for (std::uint64_t k = 0; k < n; ++k) {
            auto at =
                static_cast<std::uint64_t>(ReadComponent(ibytes.data() + ioff + k * isize, itype));
            if (at >= count)
                return Bad(what + ": sparse index " + std::to_string(at) + " is out of range");
            if (!replaced.empty() && at <= replaced.back())
                return Bad(what + ": sparse indices are not increasing");
            replaced.push_back(at);
        }
        sparse_values = vbytes;
        sparse_offset = voff;
    }
    std::string_view base;
    std::uint64_t base_offset = 0, stride = elem;
    if (auto view = Field(a, "bufferView")) {
        auto offset = Field(a, "byteOffset").value_or(0);
        if (offset == kNone || offset % csize) return Bad(what + " has a bad byteOffset");
        if (*view == kNone) return Bad(what + " names no bufferView");
        if (*view < List("bufferViews").size() && List("bufferViews")[*view].is_object()) {
            stride = std::max(elem, Field(List("bufferViews")[*view], "byteStride").value_or(0));
        }
        BEACON_TRY(bytes, Elements(*view, offset, count, elem, stride, what));
        BEACON_TRY(mapped, CopyView(*view, out));
        copy["bufferView"] = mapped;
        if (offset) copy["byteOffset"] = offset;
        base = bytes;
        base_offset = offset;
    } else if (a.contains("byteOffset")) {
        return Bad(what + " has a byteOffset but no bufferView");
    }
    if (bounds) {
        std::size_t next = 0;
        for (std::uint64_t i = 0; i < count; ++i) {
            const char* p = base.empty() ? nullptr : base.data() + base_offset + i * stride;
            if (next < replaced.size() && replaced[next] == i) {
                p = sparse_values.data() + sparse_offset + next * elem;
                ++next;
            }
            for (std::uint64_t c = 0; c < ncomp; ++c) take(p, c);
        }
        if (!finite) return Bad(what + " holds a number that is not finite");
        auto as_json = [&](const std::vector<double>& xs) {
            Json arr = Json::array();
            for (double x : xs) {
                if (component == 5126)
                    arr.push_back(static_cast<float>(x));
                else
                    arr.push_back(static_cast<std::int64_t>(x));
            }
            return arr;
        };
        copy["min"] = as_json(mn);
        copy["max"] = as_json(mx);
    } else if (a.contains("min") && a.contains("max")) {
        copy["min"] = a["min"];  // compressed data (Draco): the declared bounds are kept
        copy["max"] = a["max"];
    }
    out.accessors.push_back(std::move(copy));
    accessor_map[index] = out.accessors.size() - 1;
    return accessor_map[index];
}

}  // namespace beacon::verse
