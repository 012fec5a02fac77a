// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/feature_dialog.h"

#include "dw/ui/feature_image.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <span>

namespace dw::ui {

namespace {

// The FFT length steps through powers of two with the arrows but still accepts any typed value,
// so that a wrong one is refused with the validator's reason rather than silently clamped.
class PowerOfTwoSpinBox : public QSpinBox
{
public:
    using QSpinBox::QSpinBox;
    void stepBy(int steps) override
    {
        int v = value();
        for (; steps > 0; --steps)
            v = v < 1 ? 1 : v * 2;
        for (; steps < 0; ++steps)
            v = std::max(1, v / 2);
        setValue(v);
    }
};

QLabel* formLabel(const QString& title, const QString& eiName)
{
    auto* l = new QLabel(QStringLiteral("%1 <span style='color:#8a9099'>%2</span>")
                             .arg(title.toHtmlEscaped(), eiName.toHtmlEscaped()));
    l->setTextFormat(Qt::RichText);
    return l;
}

} // namespace

FeatureEditor::FeatureEditor(QWidget* parent) : QWidget(parent)
{
    m_form = new QFormLayout(this);
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->setHorizontalSpacing(14);
    m_form->setVerticalSpacing(7);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    auto add = [this](QWidget* w, const QString& title, const QString& name, const QString& tip) {
        w->setObjectName(name);
        w->setToolTip(QStringLiteral("<b>%1</b> (%2)<br>%3").arg(title, name, tip));
        auto* label = formLabel(title, name);
        label->setToolTip(w->toolTip());
        label->setBuddy(w);
        m_form->addRow(label, w);
    };
    auto dspin = [](double lo, double hi, double step, int decimals, const QString& suffix) {
        auto* s = new QDoubleSpinBox;
        s->setRange(lo, hi);
        s->setSingleStep(step);
        s->setDecimals(decimals);
        s->setSuffix(suffix);
        s->setKeyboardTracking(true);
        return s;
    };
    auto ispin = [](int lo, int hi) {
        auto* s = new QSpinBox;
        s->setRange(lo, hi);
        return s;
    };

    m_kind = new QComboBox;
    m_kind->addItem(tr("MFCC (cepstral coefficients)"), "mfcc");
    m_kind->addItem(tr("MFE (log mel energies)"), "mfe");
    add(m_kind, tr("Feature type"), "kind",
        tr("MFCC is Edge Impulse's default block for speech. MFE keeps the log mel filter "
           "energies (what TFLM micro_speech and ARM's KWS use)."));
    m_window = new QComboBox;
    m_window->addItem(tr("None (rectangular, Edge Impulse)"), "none");
    m_window->addItem(tr("Hann"), "hann");
    add(m_window, tr("Window"), "window",
        tr("Window applied to each frame before the FFT. Edge Impulse uses none."));
    m_numCepstral = ispin(1, 256);
    add(m_numCepstral, tr("Coefficients"), "num_cepstral",
        tr("Number of cepstral coefficients kept per frame (MFCC). Default 13; must not exceed "
           "the number of filters."));
    m_frameLength = dspin(0.001, 2.0, 0.005, 3, tr(" s"));
    add(m_frameLength, tr("Frame length"), "frame_length",
        tr("Length of each frame in seconds. Default 0.02 s (320 samples at 16 kHz)."));
    m_frameStride = dspin(0.001, 2.0, 0.005, 3, tr(" s"));
    add(m_frameStride, tr("Frame stride"), "frame_stride",
        tr("Step between the starts of consecutive frames in seconds. Default 0.02 s: 50 "
           "frames per 1 s clip."));
    m_numFilters = ispin(0, 512);
    add(m_numFilters, tr("Filter number"), "num_filters",
        tr("Number of triangular mel filters. Default 32; at least 2, and few enough that every "
           "filter covers an FFT bin."));
    m_fftLength = new PowerOfTwoSpinBox;
    m_fftLength->setRange(1, 16384);
    add(m_fftLength, tr("FFT length"), "fft_length",
        tr("Number of FFT points, a power of two. Default 256: a 320-sample frame is cropped to "
           "256, a shorter one zero-padded."));
    m_winSize = ispin(0, 1001);
    m_winSize->setSingleStep(2);
    m_winSize->setSpecialValueText(tr("0 (off)"));
    add(m_winSize, tr("Normalization window size"), "win_size",
        tr("Sliding normalisation window in frames, odd. Default 101 (about per-clip "
           "normalisation for 50 frames); 0 disables normalisation."));
    m_lowFrequency = dspin(0, 96000, 50, 0, tr(" Hz"));
    add(m_lowFrequency, tr("Low frequency"), "low_frequency",
        tr("Lowest band edge of the mel filterbank in Hz. Default 0."));
    m_highFrequency = dspin(0, 96000, 100, 0, tr(" Hz"));
    m_highFrequency->setSpecialValueText(tr("0 (half the sample rate)"));
    add(m_highFrequency, tr("High frequency"), "high_frequency",
        tr("Highest band edge of the mel filterbank in Hz. 0 means half the sample rate "
           "(8,000 Hz at 16 kHz)."));
    m_preCof = dspin(0, 1.0, 0.01, 3, {});
    add(m_preCof, tr("Pre-emphasis coefficient"), "pre_cof",
        tr("y[n] = x[n] - pre_cof * x[n-1], applied circularly. Default 0.98; 0 disables it."));

    for (auto* c : {m_kind, m_window})
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            m_numCepstral->setEnabled(m_kind->currentData().toString() == "mfcc");
            if (!m_loading)
                Q_EMIT configChanged();
        });
    for (auto* s : {m_numCepstral, m_numFilters, m_fftLength, m_winSize})
        connect(s, &QSpinBox::valueChanged, this, [this] {
            if (!m_loading)
                Q_EMIT configChanged();
        });
    for (auto* s : {m_frameLength, m_frameStride, m_lowFrequency, m_highFrequency, m_preCof})
        connect(s, &QDoubleSpinBox::valueChanged, this, [this] {
            if (!m_loading)
                Q_EMIT configChanged();
        });
    setConfig(dw::FeatureConfig{});
}

void FeatureEditor::setConfig(const dw::FeatureConfig& c)
{
    m_loading = true;
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(QString::fromStdString(c.kind))));
    m_window->setCurrentIndex(std::max(0, m_window->findData(QString::fromStdString(c.window))));
    m_numCepstral->setValue(c.num_cepstral);
    m_numCepstral->setEnabled(c.kind != "mfe");
    m_frameLength->setValue(c.frame_length);
    m_frameStride->setValue(c.frame_stride);
    m_numFilters->setValue(c.num_filters);
    m_fftLength->setValue(c.fft_length);
    m_winSize->setValue(c.win_size);
    m_lowFrequency->setValue(c.low_frequency);
    m_highFrequency->setValue(c.high_frequency);
    m_preCof->setValue(c.pre_cof);
    m_sampleRate = c.sample_rate;
    m_loading = false;
    Q_EMIT configChanged();
}

dw::FeatureConfig FeatureEditor::config() const
{
    dw::FeatureConfig c;
    c.kind = m_kind->currentData().toString().toStdString();
    c.window = m_window->currentData().toString().toStdString();
    c.num_cepstral = m_numCepstral->value();
    c.frame_length = m_frameLength->value();
    c.frame_stride = m_frameStride->value();
    c.num_filters = m_numFilters->value();
    c.fft_length = m_fftLength->value();
    c.win_size = m_winSize->value();
    c.low_frequency = m_lowFrequency->value();
    c.high_frequency = m_highFrequency->value();
    c.pre_cof = m_preCof->value();
    c.sample_rate = m_sampleRate;
    return c;
}

dw::Status FeatureEditor::validate(int samples) const { return config().validate(samples); }

QWidget* FeatureEditor::field(const QString& name) const
{
    return findChild<QWidget*>(name, Qt::FindDirectChildrenOnly);
}

QStringList FeatureEditor::fieldNames() const
{
    return {"kind",          "window",        "num_cepstral", "frame_length",
            "frame_stride",  "num_filters",   "fft_length",   "win_size",
            "low_frequency", "high_frequency", "pre_cof"};
}

FeaturePanel::FeaturePanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);
    m_editor = new FeatureEditor(this);
    layout->addWidget(m_editor);
    m_error = new QLabel(this);
    m_error->setObjectName("featureError");
    m_error->setWordWrap(true);
    m_error->setStyleSheet("QLabel { color: #b3261e; background: #fde7e7; border: 1px solid "
                           "#e6a3a0; border-radius: 3px; padding: 6px; }");
    m_error->hide();
    layout->addWidget(m_error);
    m_shape = new QLabel(this);
    m_shape->setStyleSheet("QLabel { color: #5a6270; }");
    layout->addWidget(m_shape);
    m_preview = new FeatureImage(this);
    m_preview->setMinimumHeight(200);
    layout->addWidget(m_preview, 1);
    connect(m_editor, &FeatureEditor::configChanged, this, &FeaturePanel::refresh);
    refresh();
}

void FeaturePanel::setPreviewSamples(std::vector<int16_t> samples, const QString& clipName)
{
    m_samples = std::move(samples);
    m_clipName = clipName;
    refresh();
}

QString FeaturePanel::errorText() const { return m_valid ? QString() : m_error->text(); }

void FeaturePanel::refresh()
{
    const dw::FeatureConfig c = m_editor->config();
    const int n = m_samples.empty() ? c.sample_rate : int(m_samples.size());
    const dw::Status s = c.validate(n);
    const bool wasValid = m_valid;
    m_valid = s.ok();
    if (!m_valid) {
        m_error->setText(QString::fromStdString(s.error().text()));
        m_error->show();
        m_shape->clear();
        m_preview->showMessage(tr("Fix the highlighted setting to see the features"));
    } else {
        m_error->hide();
        m_shape->setText(tr("%1 frames \u00d7 %2 %3 = %4 features per %5 s clip")
                             .arg(c.frameCount(n))
                             .arg(c.coefficientCount())
                             .arg(c.kind == "mfe" ? tr("filters") : tr("coefficients"))
                             .arg(c.frameCount(n) * c.coefficientCount())
                             .arg(double(n) / c.sample_rate, 0, 'g', 3));
        if (m_samples.empty()) {
            m_preview->showMessage(tr("Select a clip on the Dataset page to preview"));
        } else {
            std::vector<float> x(m_samples.begin(), m_samples.end());
            auto f = dw::computeFeatures(std::span<const float>(x), c);
            if (f)
                m_preview->setFeatures(*f, c);
            else
                m_preview->showMessage(QString::fromStdString(f.error().text()));
        }
    }
    if (wasValid != m_valid)
        Q_EMIT validityChanged(m_valid);
}

FeatureDialog::FeatureDialog(const dw::FeatureConfig& config, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Feature settings"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 16, 16, 12);
    m_panel = new FeaturePanel(this);
    layout->addWidget(m_panel, 1);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel |
                                         QDialogButtonBox::RestoreDefaults,
                                     this);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &FeatureDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &FeatureDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                dw::FeatureConfig d;
                d.sample_rate = m_panel->editor()->config().sample_rate;
                m_panel->editor()->setConfig(d);
            });
    connect(m_panel, &FeaturePanel::validityChanged, this,
            [this](bool ok) { m_buttons->button(QDialogButtonBox::Save)->setEnabled(ok); });
    m_panel->editor()->setConfig(config);
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(m_panel->isValid());
    resize(620, 720);
}

void FeatureDialog::setPreviewSamples(std::vector<int16_t> samples, const QString& clipName)
{
    m_panel->setPreviewSamples(std::move(samples), clipName);
}

dw::FeatureConfig FeatureDialog::config() const { return m_panel->editor()->config(); }

bool FeatureDialog::canAccept() const { return m_panel->isValid(); }

void FeatureDialog::accept()
{
    if (!canAccept())
        return; // the reason is already shown inline
    QDialog::accept();
}

} // namespace dw::ui
