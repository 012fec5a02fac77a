// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Drives the Live test page (dw::ui::LivePage): on Start, a worker thread loads the selected
// run into the C runtime (dw::LiveModel), opens the source (a PortAudio input device, or a WAV
// file decoded to 16 kHz and played at real-time pace through dw::audio::FakeBackend), drains
// it every 25 ms into a dw::StreamDetector and posts the latest window, new detections and the
// status to the page (queued to the GUI thread, at most once per tick). The GUI thread never
// waits on the model or the audio: Stop only raises a flag; the worker ends within one tick.
// Device errors (no device, busy, vanished mid-stream) end the session with the backend's
// message on the page.

#include "dw/audio/backend.h"
#include "dw/core/result.h"
#include "dw/ui/live_page.h"

#include <QObject>
#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace dw::gui {

class LiveController : public QObject
{
    Q_OBJECT
public:
    // Makes the backend for a device source, on the worker thread (default: PortAudio).
    using DeviceBackendFactory = std::function<Result<std::unique_ptr<audio::Backend>>()>;
    // Lists devices for the page's source picker, on the GUI thread (default: PortAudio).
    using DeviceLister = std::function<Result<std::vector<audio::DeviceInfo>>()>;

    explicit LiveController(ui::LivePage* page, QObject* parent = nullptr);
    ~LiveController() override; // stops and joins the worker

    void setDeviceBackendFactory(DeviceBackendFactory f) { m_deviceFactory = std::move(f); }
    void setDeviceLister(DeviceLister f) { m_lister = std::move(f); }
    // WAV playback pace (1 = real time, the default; tests and screenshots may go faster).
    void setWavSpeed(double speed) { m_wavSpeed = speed; }

    void refreshDevices();
    void start();
    void stop();
    bool isRunning() const { return m_thread.joinable(); }

Q_SIGNALS:
    void finished(); // the worker has ended (stopped, end of file or error)

private:
    struct Session;
    void work(std::shared_ptr<Session> s);
    void onFinished();

    QPointer<ui::LivePage> m_page;
    DeviceBackendFactory m_deviceFactory;
    DeviceLister m_lister;
    double m_wavSpeed = 1.0;
    std::thread m_thread;
    std::shared_ptr<Session> m_session;
};

} // namespace dw::gui
