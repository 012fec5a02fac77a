// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A tiny project for GUI tests: labels yes / no / noise with 6 / 6 / 2 synthetic clips (noise is
// under half the median, so it is flagged as imbalanced) and one 1.5 s "yes" clip for crop tests.

#include "dw/core/project.h"

#include <QTemporaryDir>
#include <QtTest/QTest>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

namespace dw::test {

inline std::vector<int16_t> tone(double hz, int samples = 16000, double amp = 8000.0)
{
    std::vector<int16_t> s(static_cast<size_t>(samples));
    for (int i = 0; i < samples; ++i) {
        // A burst in the middle third, silence around it, like a spoken word.
        const double env = (i > samples / 3 && i < 2 * samples / 3) ? 1.0 : 0.02;
        s[size_t(i)] = int16_t(amp * env * std::sin(2.0 * M_PI * hz * i / 16000.0));
    }
    return s;
}

struct ProjectFixture {
    QTemporaryDir dir;
    std::unique_ptr<dw::Project> project;
    QString root;

    // Returns false (and logs) when the project could not be made.
    bool make()
    {
        if (!dir.isValid())
            return false;
        root = dir.filePath("tiny");
        auto p = dw::Project::create(root.toStdString(), {"yes", "no", "noise"});
        if (!p) {
            qWarning("create: %s", p.error().text().c_str());
            return false;
        }
        project = std::make_unique<dw::Project>(std::move(*p));
        struct Spec {
            const char* label;
            int n;
            double hz;
        };
        for (const Spec& s : {Spec{"yes", 6, 440.0}, Spec{"no", 6, 880.0}, Spec{"noise", 2, 3000.0}})
            for (int i = 0; i < s.n; ++i) {
                auto c = project->addClip(s.label, tone(s.hz + 10 * i), "synthetic",
                                          std::string(s.label) + std::to_string(i));
                if (!c) {
                    qWarning("addClip: %s", c.error().text().c_str());
                    return false;
                }
            }
        return true;
    }
};

} // namespace dw::test
