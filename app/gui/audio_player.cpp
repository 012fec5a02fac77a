// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio_player.h"

#include "dw/audio/portaudio_backend.h"

#include <QElapsedTimer>
#include <QObject>

namespace dw::gui {

namespace {

class PortAudioPlayer : public dw::ui::ClipPlayer
{
public:
    bool canPlay() const override
    {
        ensure();
        return m_backend && m_hasOutput;
    }
    QString unavailableReason() const override
    {
        ensure();
        return m_reason;
    }
    dw::Status play(std::vector<int16_t> samples, int sampleRate) override
    {
        ensure();
        if (!m_backend || !m_hasOutput)
            return dw::makeError("playback is not available: " + m_reason.toStdString(),
                                 "connect an audio output device and restart");
        const dw::Status s = m_backend->play(samples, sampleRate);
        if (s) {
            m_clock.start();
            m_rate = sampleRate;
            m_length = int(samples.size());
        }
        return s;
    }
    void stop() override
    {
        if (m_backend)
            m_backend->stopPlayback();
    }
    bool isPlaying() const override { return m_backend && m_backend->isPlaying(); }
    int positionSamples() const override
    {
        if (!isPlaying() || !m_clock.isValid())
            return -1;
        return std::min(m_length, int(m_clock.elapsed() * m_rate / 1000));
    }

private:
    void ensure() const
    {
        if (m_tried)
            return;
        m_tried = true;
        auto b = dw::audio::PortAudioBackend::create();
        if (!b) {
            m_reason = QString::fromStdString(b.error().text());
            return;
        }
        auto devices = (*b)->listDevices();
        if (!devices) {
            m_reason = QString::fromStdString(devices.error().text());
            return;
        }
        for (const auto& d : *devices)
            if (d.maxOutputChannels > 0)
                m_hasOutput = true;
        if (!m_hasOutput)
            m_reason = QObject::tr("no audio output device was found");
        m_backend = std::move(*b);
    }

    mutable bool m_tried = false;
    mutable bool m_hasOutput = false;
    mutable QString m_reason;
    mutable std::unique_ptr<dw::audio::PortAudioBackend> m_backend;
    QElapsedTimer m_clock;
    int m_rate = 16000;
    int m_length = 0;
};

} // namespace

std::unique_ptr<dw::ui::ClipPlayer> createAudioPlayer()
{
    return std::make_unique<PortAudioPlayer>();
}

} // namespace dw::gui
