// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A tiny training project for GUI tests: `labels` classes ("tone0", "tone1", ...) of pure tones
// with a little noise, `clipsPerLabel` 1 s clips each, one speaker per clip. Trivially
// separable, so the phase tracker stops improving within a few epochs and switches.

#include "dw/core/project.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dw::test {

inline Result<Project> makeProject(const std::filesystem::path& root, int labels,
                                   int clipsPerLabel)
{
    std::vector<std::string> names;
    for (int l = 0; l < labels; ++l)
        names.push_back("tone" + std::to_string(l));
    auto p = Project::create(root, names);
    if (!p)
        return p;
    p->setAutoSave(false);
    uint32_t rng = 12345;
    for (int l = 0; l < labels; ++l)
        for (int c = 0; c < clipsPerLabel; ++c) {
            std::vector<int16_t> s(16000);
            const double f = 300.0 + 500.0 * l + 7.0 * c;
            for (size_t i = 0; i < s.size(); ++i) {
                rng = rng * 1664525u + 1013904223u;
                const double noise = (double(rng >> 16) / 65536.0 - 0.5) * 800.0;
                s[i] = int16_t(6000.0 * std::sin(2 * M_PI * f * double(i) / 16000.0) + noise);
            }
            auto clip = p->addClip(names[l], s, "synthetic",
                                   "spk" + std::to_string(l) + "_" + std::to_string(c));
            if (!clip)
                return clip.error();
        }
    if (auto s = p->save(); !s)
        return s.error();
    return p;
}

} // namespace dw::test
