// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Playback as the UI sees it. The app implements it on top of dw::audio::Backend (the ui library
// never touches an audio device); without an output device canPlay() is false and the UI shows
// unavailableReason() on a disabled Play button. All calls from the GUI thread.

#include "dw/core/result.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace dw::ui {

class ClipPlayer
{
public:
    virtual ~ClipPlayer() = default;
    virtual bool canPlay() const = 0;
    // Why playback is unavailable, e.g. "no audio output device found".
    virtual QString unavailableReason() const { return {}; }
    // Starts playing (returns at once); a call while playing replaces the sound.
    virtual dw::Status play(std::vector<int16_t> samples, int sampleRate) = 0;
    virtual void stop() = 0;
    virtual bool isPlaying() const = 0;
    // Samples played so far of the current sound (for the playhead), -1 when idle.
    virtual int positionSamples() const { return -1; }
};

} // namespace dw::ui
