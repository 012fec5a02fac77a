// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// dw::ui::ClipPlayer on top of dw::audio's PortAudio backend. The device is opened lazily on the
// first canPlay()/play(), so starting the GUI never waits for PortAudio. Without an output device
// canPlay() is false with a reason the Play button shows. GUI thread only.

#include "dw/ui/clip_player.h"

#include <memory>

namespace dw::gui {

std::unique_ptr<dw::ui::ClipPlayer> createAudioPlayer();

} // namespace dw::gui
