#pragma once
/// What every storage area shares: the result types and a page of rows.
#include <cstdint>
#include <vector>

#include "core/result.hpp"

namespace beacon::storage {

using core::Result;
using core::Status;

/// One page of a list and the number of rows the whole query matches.
template <class T>
struct Page {
    std::vector<T> items;
    std::int64_t total = 0;
};

}  // namespace beacon::storage
