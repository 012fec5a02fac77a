// SPDX-License-Identifier: GPL-3.0-or-later
// The Features page: the project's MFCC settings with a live preview of the selected clip, saved
// into the project, and feature computation for the whole dataset in a background job.
#include "app_context.h"
#include "page_registry.h"
#include "settings.h"
#include "workers.h"

#include "dw/ui/feature_dialog.h"
#include "dw/ui/feature_image.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <memory>

namespace dw::gui {

namespace {

class FeaturesPage : public QWidget
{
public:
    explicit FeaturesPage(AppContext& ctx) : m_ctx(ctx)
    {
        setObjectName("featuresPage");
        auto* outer = new QVBoxLayout(this);
        outer->setContentsMargins(16, 12, 16, 12);
        outer->setSpacing(10);
        auto* title = new QLabel(tr("Features"), this);
        QFont tf = title->font();
        tf.setPointSizeF(tf.pointSizeF() * 1.5);
        tf.setBold(true);
        title->setFont(tf);
        title->setStyleSheet("color: #1f2d3d;");
        auto* head = new QHBoxLayout;
        head->addWidget(title);
        m_subtitle = new QLabel(this);
        m_subtitle->setStyleSheet("color: #5a6270; padding-left: 12px;");
        head->addWidget(m_subtitle, 1, Qt::AlignBottom);
        outer->addLayout(head);

        auto* row = new QHBoxLayout;
        row->setSpacing(12);
        auto* formCard = new QFrame(this);
        formCard->setObjectName("dwCard");
        formCard->setStyleSheet("#dwCard { background: white; border: 1px solid #dfe3e8; "
                                "border-radius: 6px; }");
        auto* fl = new QVBoxLayout(formCard);
        fl->setContentsMargins(14, 12, 14, 12);
        auto* formTitle = new QLabel(tr("<b>MFCC parameters</b> (Edge Impulse names)"), formCard);
        fl->addWidget(formTitle);
        m_panel = new dw::ui::FeaturePanel(formCard);
        fl->addWidget(m_panel, 1);
        auto* buttons = new QHBoxLayout;
        m_save = new QPushButton(tr("Save to project"), formCard);
        m_save->setDefault(true);
        m_revert = new QPushButton(tr("Revert"), formCard);
        m_defaults = new QPushButton(tr("Edge Impulse defaults"), formCard);
        auto* asDefault = new QPushButton(tr("Use for new projects"), formCard);
        asDefault->setToolTip(tr("New projects start with these settings"));
        buttons->addWidget(m_save);
        buttons->addWidget(m_revert);
        buttons->addWidget(m_defaults);
        buttons->addStretch();
        buttons->addWidget(asDefault);
        fl->addLayout(buttons);
        row->addWidget(formCard, 3);

        auto* side = new QFrame(this);
        side->setObjectName("dwCard");
        side->setStyleSheet(formCard->styleSheet());
        auto* sl = new QVBoxLayout(side);
        sl->setContentsMargins(14, 12, 14, 12);
        sl->addWidget(new QLabel(tr("<b>Dataset features</b>"), side));
        auto* explain = new QLabel(
            tr("Training uses these features for every clip. They are computed once per clip "
               "and cached in the project per feature configuration, so changing a parameter "
               "and back costs nothing."),
            side);
        explain->setWordWrap(true);
        explain->setStyleSheet("color: #5a6270;");
        sl->addWidget(explain);
        m_compute = new QPushButton(tr("Compute features for all clips"), side);
        sl->addWidget(m_compute);
        m_result = new QLabel(side);
        m_result->setWordWrap(true);
        sl->addWidget(m_result);
        sl->addStretch();
        row->addWidget(side, 1);
        outer->addLayout(row, 1);

        connect(m_panel, &dw::ui::FeaturePanel::validityChanged, this, [this] { updateButtons(); });
        connect(m_panel->editor(), &dw::ui::FeatureEditor::configChanged, this,
                [this] { updateButtons(); });
        connect(m_save, &QPushButton::clicked, this, [this] { save(); });
        connect(m_revert, &QPushButton::clicked, this, [this] { load(); });
        connect(m_defaults, &QPushButton::clicked, this,
                [this] { m_panel->editor()->setConfig(dw::FeatureConfig{}); });
        connect(asDefault, &QPushButton::clicked, this, [this] {
            if (!m_panel->isValid())
                return;
            m_ctx.settings().setFeatureDefaults(m_panel->editor()->config());
            m_ctx.reportInfo(tr("New projects will start with these feature settings"));
        });
        connect(m_compute, &QPushButton::clicked, this, [this] { computeAll(); });
        connect(&ctx, &AppContext::projectChanged, this, [this] { load(); });
        connect(&ctx, &AppContext::currentClipChanged, this, [this] { loadPreview(); });
        load();
    }

    void load()
    {
        const dw::Project* p = m_ctx.project();
        m_panel->editor()->setConfig(p ? p->featureConfig() : m_ctx.settings().featureDefaults());
        m_subtitle->setText(p ? tr("Settings of project %1").arg(m_ctx.projectName())
                              : tr("No project open: showing the defaults for new projects"));
        m_result->clear();
        loadPreview();
        updateButtons();
    }

    void loadPreview()
    {
        const dw::Project* p = m_ctx.project();
        const dw::Clip* clip = nullptr;
        if (p) {
            clip = p->findClip(m_ctx.currentClipId().toStdString());
            if (!clip && !p->clips().empty())
                clip = &p->clips().front();
        }
        if (!clip) {
            m_panel->setPreviewSamples({});
            return;
        }
        auto audio = dw::readWavPcm16(p->clipPath(*clip));
        m_panel->setPreviewSamples(audio ? std::move(audio->samples) : std::vector<int16_t>{},
                                   QString::fromStdString(clip->id));
        if (audio)
            m_panel->preview()->xAxis->setLabel(
                tr("Time (s) \u2014 clip %1 (%2)")
                    .arg(QString::fromStdString(clip->id), QString::fromStdString(clip->label)));
        m_panel->preview()->replot();
    }

    void updateButtons()
    {
        const dw::Project* p = m_ctx.project();
        const bool dirty = p && p->featureConfig().toJson() != m_panel->editor()->config().toJson();
        m_save->setEnabled(p && m_panel->isValid() && dirty);
        m_revert->setEnabled(p && dirty);
        m_compute->setEnabled(p && m_panel->isValid() && !m_running);
    }

    void save()
    {
        dw::Project* p = m_ctx.project();
        if (!p || !m_panel->isValid())
            return;
        const dw::FeatureConfig old = p->featureConfig();
        p->setFeatureConfig(m_panel->editor()->config());
        if (const dw::Status s = p->save(); !s) {
            p->setFeatureConfig(old);
            m_ctx.reportError(s.error());
            return;
        }
        m_ctx.notifyProjectModified();
        m_ctx.reportInfo(tr("Feature settings saved to the project"));
        updateButtons();
    }

    void computeAll()
    {
        const dw::Project* p = m_ctx.project();
        if (!p || !m_panel->isValid())
            return;
        m_running = true;
        updateButtons();
        auto summary = std::make_shared<QString>();
        const dw::Project copy = *p; // the job reads its own copy
        const dw::FeatureConfig config = m_panel->editor()->config();
        const int threads = m_ctx.settings().integer(options::workerThreads);
        runWithProgress(
            this, tr("Computing features"),
            [copy, config, threads, summary](JobControl& c) {
                return featureJob(copy, config, threads, *summary, c);
            },
            [this, summary](const dw::Status& s) {
                m_running = false;
                updateButtons();
                if (!s) {
                    m_result->setText(QStringLiteral("<span style='color:#b3261e'>%1</span>")
                                          .arg(QString::fromStdString(s.error().message)
                                                   .toHtmlEscaped()));
                    m_ctx.reportError(s.error());
                    return;
                }
                m_result->setText(*summary);
            });
    }

private:
    AppContext& m_ctx;
    dw::ui::FeaturePanel* m_panel = nullptr;
    QLabel* m_subtitle = nullptr;
    QLabel* m_result = nullptr;
    QPushButton* m_save = nullptr;
    QPushButton* m_revert = nullptr;
    QPushButton* m_defaults = nullptr;
    QPushButton* m_compute = nullptr;
    bool m_running = false;
};

QWidget* createFeaturesPage(AppContext& ctx) { return new FeaturesPage(ctx); }

} // namespace

} // namespace dw::gui

DW_REGISTER_PAGE(dw::gui::PageSpec{.id = "features",
                                   .title = QObject::tr("Features"),
                                   .icon = {},
                                   .order = 30,
                                   .create = dw::gui::createFeaturesPage,
                                   .prepareScreenshot = {}})
