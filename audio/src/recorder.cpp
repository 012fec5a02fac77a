// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/audio/recorder.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace dw::audio {

double toDbfs(double amplitude)
{
    if (amplitude <= 0.0)
        return -120.0;
    return std::max(-120.0, 20.0 * std::log10(amplitude / 32768.0));
}

void Recorder::setBackend(Backend* backend)
{
    stop();
    m_backend = backend;
}

Status Recorder::start(const CaptureConfig& config)
{
    stop();
    if (!m_backend)
        return makeError("no audio backend is available", "restart the program");
    m_samples.clear();
    m_rate = config.sampleRate;
    m_lastPeakDb = m_lastRmsDb = -120.0;
    if (auto s = m_backend->startCapture(config); !s)
        return s;
    m_recording = true;
    return {};
}

Result<size_t> Recorder::poll()
{
    if (!m_backend || !m_recording)
        return size_t(0);
    const size_t before = m_samples.size();
    const Status s = m_backend->drain(m_samples);
    const size_t n = m_samples.size() - before;
    if (n > 0) {
        int peak = 0;
        double energy = 0.0;
        for (size_t i = before; i < m_samples.size(); ++i) {
            const int v = m_samples[i];
            peak = std::max(peak, std::abs(v));
            energy += double(v) * v;
        }
        m_lastPeakDb = toDbfs(peak);
        m_lastRmsDb = toDbfs(std::sqrt(energy / double(n)));
    }
    if (!s) {
        m_recording = false;
        m_backend->stopCapture();
        return s.error();
    }
    return n;
}

void Recorder::stop()
{
    if (!m_recording)
        return;
    if (m_backend) {
        m_backend->stopCapture();
        (void)m_backend->drain(m_samples); // what is still in the ring belongs to the session
    }
    m_recording = false;
}

void Recorder::setSamples(std::vector<int16_t> samples, int sampleRate)
{
    stop();
    m_samples = std::move(samples);
    m_rate = sampleRate;
}

CaptureStats Recorder::stats() const
{
    return m_backend ? m_backend->stats() : CaptureStats{};
}

std::vector<ClipProposal> Recorder::propose(const SplitterConfig& config,
                                            const std::string& label) const
{
    SplitterConfig c = config;
    c.sampleRate = m_rate;
    std::vector<ClipProposal> out;
    for (const Utterance& u : findUtterances(m_samples, c)) {
        ClipProposal p;
        p.start = u.windowStart;
        p.length = c.windowSamples;
        p.label = label;
        p.peakDb = u.peakDb;
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<int16_t> Recorder::extract(const ClipProposal& p) const
{
    std::vector<int16_t> out(size_t(std::max(0, p.length)), 0);
    const int64_t n = int64_t(m_samples.size());
    for (int64_t i = 0; i < int64_t(out.size()); ++i) {
        const int64_t src = p.start + i;
        if (src >= 0 && src < n)
            out[size_t(i)] = m_samples[size_t(src)];
    }
    return out;
}

SaveReport Recorder::save(Project& project, const std::vector<ClipProposal>& proposals,
                                  const std::string& source) const
{
    SaveReport report;
    int index = 0;
    for (const ClipProposal& p : proposals) {
        ++index;
        if (!p.keep)
            continue;
        const std::string which = "clip " + std::to_string(index);
        if (p.length <= 0) {
            report.skipped.push_back(which + " has 0 samples: not saved");
            continue;
        }
        if (auto v = Project::validateLabel(p.label); !v) {
            report.skipped.push_back(which + " has an invalid label: " + v.error().message);
            continue;
        }
        if (std::find(project.labels().begin(), project.labels().end(), p.label) ==
            project.labels().end()) {
            if (auto s = project.addLabel(p.label); !s) {
                report.error = makeError("cannot add label '" + p.label + "': " + s.error().message +
                                     " (" + std::to_string(report.saved.size()) +
                                     " clips were saved before this)",
                                 s.error().hint);
                return report;
            }
        }
        const std::vector<int16_t> samples = extract(p);
        auto clip = project.addClip(p.label, samples, source);
        if (!clip) {
            report.error = makeError("could not save " + which + " ('" + p.label +
                                 "'): " + clip.error().message + "; " +
                                 std::to_string(report.saved.size()) +
                                 " clips saved before it are on disk",
                             clip.error().hint.empty()
                                 ? "free disk space or check the project folder's permissions, "
                                   "then save again"
                                 : clip.error().hint);
            return report;
        }
        report.saved.push_back(*clip);
        report.savedIndices.push_back(size_t(index - 1));
    }
    return report;
}

} // namespace dw::audio
