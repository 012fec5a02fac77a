// SPDX-License-Identifier: GPL-3.0-or-later
#include "live_controller.h"

#include "dw/audio/fake_backend.h"
#include "dw/audio/import.h"
#include "dw/audio/portaudio_backend.h"
#include "dw/core/live.h"

#include <QMetaObject>

#include <chrono>

namespace dw::gui {

struct LiveController::Session
{
    std::filesystem::path runDir;
    bool int8 = false;
    ui::LiveSource source;
    DetectorConfig config;
    double wavSpeed = 1.0;
    DeviceBackendFactory deviceFactory;
    std::atomic<bool> stop{false};
    std::atomic<double> threshold{0.6};
    std::atomic<int> smoothing{3};
};

LiveController::LiveController(ui::LivePage* page, QObject* parent) : QObject(parent), m_page(page)
{
    m_deviceFactory = []() -> Result<std::unique_ptr<audio::Backend>> {
        auto b = audio::PortAudioBackend::create();
        if (!b)
            return b.error();
        return std::unique_ptr<audio::Backend>(std::move(*b));
    };
    m_lister = []() -> Result<std::vector<audio::DeviceInfo>> {
        auto b = audio::PortAudioBackend::create();
        if (!b)
            return b.error();
        return (*b)->listDevices();
    };
    connect(page, &ui::LivePage::startRequested, this, &LiveController::start);
    connect(page, &ui::LivePage::stopRequested, this, &LiveController::stop);
    connect(page, &ui::LivePage::refreshDevicesRequested, this, &LiveController::refreshDevices);
    connect(page, &ui::LivePage::thresholdChanged, this, [this](double t) {
        if (m_session)
            m_session->threshold = t;
    });
    connect(page, &ui::LivePage::smoothingChanged, this, [this](int n) {
        if (m_session)
            m_session->smoothing = n;
    });
}

LiveController::~LiveController()
{
    if (m_session)
        m_session->stop = true;
    if (m_thread.joinable())
        m_thread.join();
}

void LiveController::refreshDevices()
{
    if (!m_page || isRunning())
        return;
    auto devices = m_lister
                       ? m_lister()
                       : Result<std::vector<audio::DeviceInfo>>(std::vector<audio::DeviceInfo>{});
    if (!devices) {
        m_page->setDevices({}, QString::fromStdString(devices.error().message));
        return;
    }
    m_page->setDevices(*devices);
}

void LiveController::start()
{
    if (!m_page || isRunning())
        return;
    auto s = std::make_shared<Session>();
    s->runDir = m_page->runDir().toStdString();
    s->int8 = m_page->int8();
    s->source = m_page->source();
    s->config.threshold = m_page->threshold();
    s->config.smoothing = m_page->smoothing();
    s->threshold = s->config.threshold;
    s->smoothing = s->config.smoothing;
    s->wavSpeed = m_wavSpeed;
    s->deviceFactory = m_deviceFactory;
    if (s->runDir.empty()) {
        m_page->showError(makeError("no run selected",
                                    "train a run on the Train page, or pick a run folder with "
                                    "'Other run...'"));
        return;
    }
    if (s->source.wav && s->source.wavPath.isEmpty()) {
        m_page->showError(makeError("no WAV file chosen", "press Browse... and pick a recording"));
        return;
    }
    if (!s->source.wav && s->source.device == -2) {
        m_page->showError(makeError("there is no audio input device",
                                    "connect a microphone and press Refresh, or play a WAV "
                                    "file"));
        return;
    }
    m_session = s;
    m_page->setRunning(true);
    m_page->showMessage(tr("Loading the model of %1...")
                            .arg(QString::fromStdString(s->runDir.filename().string())));
    m_thread = std::thread([this, s] { work(s); });
}

void LiveController::stop()
{
    if (m_session)
        m_session->stop = true;
}

void LiveController::onFinished()
{
    if (m_thread.joinable())
        m_thread.join(); // the worker has returned: immediate
    m_session.reset();
    if (m_page)
        m_page->setRunning(false);
    Q_EMIT finished();
}

void LiveController::work(std::shared_ptr<Session> s)
{
    auto post = [this](auto fn) { QMetaObject::invokeMethod(this, fn, Qt::QueuedConnection); };
    auto fail = [this, &post](Error e) {
        post([this, e] {
            if (m_page)
                m_page->showError(e);
        });
        post([this] { onFinished(); });
    };

    LiveModelOptions mo;
    mo.int8 = s->int8;
    auto model = LiveModel::load(s->runDir, mo);
    if (!model)
        return fail(model.error());
    auto det = StreamDetector::create(**model, s->config);
    if (!det)
        return fail(det.error());
    {
        std::vector<std::string> labels = (*model)->labels();
        QString desc = QString::fromStdString((*model)->description());
        post([this, labels, desc] {
            if (m_page)
                m_page->showModel(labels, desc);
        });
    }

    // The source.
    std::unique_ptr<audio::Backend> backend;
    double fileSeconds = -1;
    if (s->source.wav) {
        const int rate = (*model)->sampleRate();
        auto a = audio::decodeAudioFile(s->source.wavPath.toStdString(), rate);
        if (!a)
            return fail(a.error());
        if (a->originalRate < rate) // as `dendrite live`: the upper band would be empty
            return fail(makeError("'" + s->source.wavPath.toStdString() + "' is sampled at " +
                                      std::to_string(a->originalRate) +
                                      " Hz; the model listens at " + std::to_string(rate) + " Hz",
                                  "play a recording made at " + std::to_string(rate) +
                                      " Hz or more (higher rates are resampled)"));
        std::vector<float> signal(a->samples.size());
        for (size_t i = 0; i < signal.size(); ++i)
            signal[i] = float(a->samples[i]) / 32768.0f;
        fileSeconds = double(signal.size()) / double(rate);
        audio::FakeOptions fo;
        fo.sampleRate = rate;
        fo.speed = s->wavSpeed;
        fo.deviceName = s->source.wavPath.toStdString();
        backend = std::make_unique<audio::FakeBackend>(std::move(signal), fo);
    } else {
        auto b = s->deviceFactory ? s->deviceFactory()
                                  : Result<std::unique_ptr<audio::Backend>>(
                                        makeError("no audio backend", "report this as a bug"));
        if (!b)
            return fail(b.error());
        backend = std::move(*b);
    }
    audio::CaptureConfig cc;
    cc.device = s->source.wav ? -1 : s->source.device;
    cc.sampleRate = (*model)->sampleRate();
    if (auto st = backend->startCapture(cc); !st)
        return fail(st.error());

    const auto t0 = std::chrono::steady_clock::now();
    std::vector<int16_t> chunk;
    std::optional<Error> error;
    size_t postedDetections = 0;
    double threshold = s->config.threshold;
    int smoothing = s->config.smoothing;
    bool ended = false;
    while (!s->stop && !ended) {
        if (double t = s->threshold; t != threshold && (*det)->setThreshold(t))
            threshold = t;
        if (int n = s->smoothing; n != smoothing && (*det)->setSmoothing(n))
            smoothing = n;
        chunk.clear();
        Status drained = backend->drain(chunk);
        if (fileSeconds >= 0) {
            // The fake device continues with silence after the file: stop at its end.
            const double left = fileSeconds - (*det)->streamSeconds();
            const size_t keep = size_t(std::max(0.0, left) * double((*model)->sampleRate()) + 0.5);
            if (chunk.size() >= keep) {
                chunk.resize(keep);
                ended = true;
            }
        }
        std::optional<LiveWindow> last;
        if (auto st = (*det)->feed(chunk, [&](const LiveWindow& w) { last = w; }); !st) {
            error = st.error();
            break;
        }
        const auto& D = **det;
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::vector<Detection> fresh(D.detections().begin() + long(postedDetections),
                                     D.detections().end());
        postedDetections = D.detections().size();
        const long long windows = D.windows();
        const double stream = D.streamSeconds();
        const double fah = D.falseAcceptsPerHour();
        const double rate = wall > 0 ? double(windows) / wall : 0.0;
        const int count = int(D.detections().size());
        if (last || !fresh.empty() || chunk.size() > 0)
            post([this, last, fresh, windows, stream, fah, rate, count] {
                if (!m_page)
                    return;
                if (last)
                    m_page->showWindow(*last);
                for (const auto& d : fresh)
                    m_page->addDetection(d);
                m_page->showStatus(windows, stream, rate, fah, count);
            });
        if (!drained) {
            error = drained.error();
            error->hint = "reconnect it (or pick another device) and press Start again";
            break;
        }
        if (!ended)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    backend->stopCapture();
    if (error)
        return fail(*error);
    post([this] { onFinished(); });
}

} // namespace dw::gui
