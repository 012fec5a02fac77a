// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The real backend: PortAudio (ALSA, JACK, PulseAudio through ALSA, ...). portaudio.h stays in
// the .cpp, so ui/ and app/ can hold a PortAudioBackend without seeing PortAudio.
//
// Capture opens the device at the requested rate in mono when it can, otherwise at the device's
// own rate/channels; Backend::drain() mixes down and resamples to 16 kHz. The stream callback only
// copies into the SPSC ring and bumps counters (no allocation, locks, logging).
//
// Start-up noise: ALSA's error messages are silenced with snd_lib_error_set_handler (when ALSA
// is linked, DW_HAVE_ALSA); JACK's "cannot connect to server" lines are not reachable through
// PortAudio, so stderr is redirected to /dev/null around Pa_Initialize. Set DW_AUDIO_VERBOSE=1 to
// see both.

#include "dw/audio/backend.h"

#include <memory>

namespace dw::audio {

class PortAudioBackend final : public Backend
{
public:
    // Initialises PortAudio (once per backend; PortAudio reference-counts it).
    static Result<std::unique_ptr<PortAudioBackend>> create();
    ~PortAudioBackend() override;

    std::string name() const override { return "PortAudio"; }
    Result<std::vector<DeviceInfo>> listDevices() override;
    // PortAudio enumerates devices only at initialisation: rescan() re-initialises it so newly
    // started servers (JACK) or plugged devices appear. Not while capturing or playing, and not
    // after a JACK server vanished mid-stream (PortAudio would block forever closing the dead
    // stream, so it is abandoned and PortAudio stays initialised until the program exits).
    Status rescan();

    Status play(std::span<const int16_t> samples, int sampleRate) override;
    void stopPlayback() override;
    bool isPlaying() const override;

protected:
    Status openStream(const CaptureConfig& config) override;
    void closeStream() override;
    void abandonStream() override;
    DeviceFault pollFault() override;

private:
    PortAudioBackend();
    static int onCapture(const void* input, unsigned long frames, unsigned long flags,
                         void* self);
    static void onCaptureFinished(void* self);
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace dw::audio
