// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// FNV-1a 64: tiny, std-only and stable across platforms and releases. It names things that must
// not change between versions (a clip's split bucket, the feature cache, an export's file
// hashes, the splitter's per-file seed), so its results are part of the file formats.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace dw {

inline constexpr uint64_t kFnv1aOffset = 14695981039346656037ull;

constexpr uint64_t fnv1a64(std::string_view bytes, uint64_t basis = kFnv1aOffset)
{
    uint64_t h = basis;
    for (char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

// 16 lower-case hex digits.
inline std::string hex64(uint64_t v)
{
    char b[17];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
    return b;
}

} // namespace dw
