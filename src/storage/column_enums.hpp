#pragma once
/// Column text → enum for the row readers of every backend. Only a hand-edited row holds a
/// string Beacon never writes: a new value comes with a migration, and a beacon refuses a
/// database newer than itself, so no binary meets a value it does not know. Such a row reads as
/// the safe value named on each helper instead of failing every listing that touches it.
#include <string_view>

#include "core/enums.hpp"

namespace beacon::storage {

/// Private.
inline core::Visibility VisibilityOr(std::string_view text) {
    auto v = core::ParseVisibility(text);
    return v.ok() ? *v : core::Visibility::kPrivate;
}
/// In order.
inline core::LoopMode LoopModeOr(std::string_view text) {
    auto m = core::ParseLoopMode(text);
    return m.ok() ? *m : core::LoopMode::kInOrder;
}
/// Generate.
inline core::JobKind JobKindOr(std::string_view text) {
    auto k = core::ParseJobKind(text);
    return k.ok() ? *k : core::JobKind::kGenerate;
}
/// Encode: an intermediate file, which nothing looks up by kind.
inline core::AssetKind AssetKindOr(std::string_view text) {
    auto k = core::ParseAssetKind(text);
    return k.ok() ? *k : core::AssetKind::kEncode;
}
/// Info.
inline core::LogLevel LogLevelOr(std::string_view text) {
    auto l = core::ParseLogLevel(text);
    return l.ok() ? *l : core::LogLevel::kInfo;
}

}  // namespace beacon::storage
