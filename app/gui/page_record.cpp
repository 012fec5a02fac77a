// SPDX-License-Identifier: GPL-3.0-or-later
// The Record page wired to the application: the open project (labels, saved clips), the
// PortAudio backend (opened the first time the page is shown, so starting the app never touches
// the sound system), and a mid-session screenshot driven by the fake backend.
#include "app_context.h"
#include "page_registry.h"

#include "dw/audio/fake_backend.h"
#include "dw/audio/portaudio_backend.h"
#include "dw/core/project.h"
#include "dw/ui/recording_page.h"
#include "dw/ui/waveform_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>

#include <memory>

namespace dw::gui {

namespace {

// Owns the page's backend (a child of the page: destroyed after the page stopped using it) and
// opens PortAudio on the first show.
class RecordBackendHolder : public QObject
{
public:
    RecordBackendHolder(dw::ui::RecordingPage* page, AppContext& ctx)
        : QObject(page), m_page(page), m_ctx(ctx)
    {
        setObjectName("dwRecordBackend");
        page->installEventFilter(this);
    }

    void use(std::unique_ptr<dw::audio::Backend> backend)
    {
        m_page->setBackend(backend.get());
        m_backend = std::move(backend); // the page let go of the old one first
    }

protected:
    bool eventFilter(QObject* obj, QEvent* ev) override
    {
        if (obj == m_page && ev->type() == QEvent::Show && !m_tried) {
            m_tried = true;
            if (!m_backend) {
                auto pa = dw::audio::PortAudioBackend::create();
                if (pa)
                    use(std::move(*pa));
                else
                    m_ctx.reportError(pa.error());
            }
        }
        return false;
    }

private:
    dw::ui::RecordingPage* m_page;
    AppContext& m_ctx;
    std::unique_ptr<dw::audio::Backend> m_backend;
    bool m_tried = false;
};

QWidget* createRecordPage(AppContext& ctx)
{
    auto* page = new dw::ui::RecordingPage(nullptr, ctx.project());
    page->setObjectName("recordPage");
    new RecordBackendHolder(page, ctx);
    QObject::connect(&ctx, &AppContext::projectChanged, page,
                     [page, &ctx] { page->setProject(ctx.project()); });
    QObject::connect(&ctx, &AppContext::projectModified, page, [page, &ctx] {
        // Labels may have changed; the session on screen stays.
        page->setProject(ctx.project());
    });
    QObject::connect(page, &dw::ui::RecordingPage::clipsSaved, &ctx,
                     [&ctx](int) { ctx.notifyProjectModified(); });
    return page;
}

// The signal of the screenshot's "microphone": real keyword clips of the project (the first
// label), one every 1.3 s, or a synthetic speech-like signal without a project.
std::vector<float> screenshotSignal(const dw::Project* project, std::string& label)
{
    std::vector<float> out;
    if (project && !project->labels().empty()) {
        label = project->labels().front();
        for (const dw::Clip* c : project->clips(label)) {
            auto audio = dw::readWavPcm16(project->clipPath(*c));
            if (!audio || audio->sampleRate != 16000)
                continue;
            for (int16_t v : audio->samples)
                out.push_back(float(v) / 32768.0f);
            out.resize(out.size() + 4800, 0.0f); // 0.3 s pause
            if (out.size() > 16000 * 20)
                break;
        }
    }
    if (out.empty())
        out = dw::audio::FakeBackend::speechLike(20.0, 16000, 0.5, 1.3);
    return out;
}

// Mid-session: a continuous 10 s session, grabbed after ~3.5 s of "speaking".
void prepareRecordScreenshot(QWidget* w, AppContext& ctx)
{
    auto* page = static_cast<dw::ui::RecordingPage*>(w);
    auto* holder = page->findChild<RecordBackendHolder*>("dwRecordBackend");
    if (!holder)
        return;
    std::string label;
    std::vector<float> signal = screenshotSignal(ctx.project(), label);
    dw::audio::FakeOptions opt;
    opt.deviceName = "Microphone (demo clips)";
    holder->use(std::make_unique<dw::audio::FakeBackend>(std::move(signal), opt));
    page->setCountdownSeconds(0);
    page->setContinuous(true);
    page->setSessionSeconds(10);
    if (!label.empty())
        page->setLabel(QString::fromStdString(label));
    page->startSession();
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 3500)
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    page->waveform()->replot();
}

} // namespace

} // namespace dw::gui

DW_REGISTER_PAGE(dw::gui::PageSpec{.id = "record",
                                   .title = QObject::tr("Record"),
                                   .icon = {},
                                   .order = 20,
                                   .create = dw::gui::createRecordPage,
                                   .prepareScreenshot = dw::gui::prepareRecordScreenshot})
