#pragma once
/// The wire shapes between the studio and its remote workers: whole rows (every field, unlike
/// the public API's views) so that a worker's Database calls round-trip unchanged.
#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::remote {

core::Json WireJob(const core::Job& j);
core::Result<core::Job> ParseWireJob(const core::Json& j);
core::Json WireContent(const core::Content& c);
core::Result<core::Content> ParseWireContent(const core::Json& j);
core::Json WireAsset(const core::Asset& a);
core::Result<core::Asset> ParseWireAsset(const core::Json& j);
core::Json WireLogLine(const core::JobLogLine& l);
core::Result<core::JobLogLine> ParseWireLogLine(const core::Json& j);
core::Json WireError(const core::Error& e);
core::Error ParseWireError(const core::Json& j);

}  // namespace beacon::remote
