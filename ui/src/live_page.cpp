// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/live_page.h"

#include "dw/core/run_record.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <filesystem>

namespace dw::ui {

namespace {

constexpr int kWavItem = -1000; // item data of the "WAV file" source entry

const QColor kKeywordColor(60, 110, 180);
const QColor kOtherColor(165, 170, 178);
const QColor kHitColor(220, 110, 30);
const QColor kThresholdColor(200, 40, 40);

QString fmtSeconds(double s)
{
    const int m = int(s / 60.0);
    return m > 0 ? QString("%1:%2").arg(m).arg(s - m * 60.0, 5, 'f', 2, QChar('0'))
                 : QString("%1 s").arg(s, 0, 'f', 2);
}

} // namespace

LivePage::LivePage(QWidget* parent) : QWidget(parent)
{
    auto* outer = new QVBoxLayout(this);

    // Run and source.
    auto* form = new QFormLayout;
    auto* runRow = new QHBoxLayout;
    m_run = new QComboBox;
    m_run->setObjectName("liveRun");
    m_run->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_run->setMinimumContentsLength(24);
    m_run->setToolTip(tr("A trained run of this project (its best checkpoint)"));
    auto* runBrowse = new QPushButton(tr("Other run..."));
    m_int8 = new QCheckBox(tr("int8"));
    m_int8->setToolTip(tr("Run the int8 export (calibrated on the training split) instead of "
                          "float32"));
    runRow->addWidget(m_run, 1);
    runRow->addWidget(runBrowse);
    runRow->addWidget(m_int8);
    form->addRow(tr("Run:"), runRow);

    auto* srcRow = new QHBoxLayout;
    m_source = new QComboBox;
    m_source->setObjectName("liveSource");
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_source->setMinimumContentsLength(24);
    m_refresh = new QPushButton(tr("Refresh"));
    m_refresh->setToolTip(tr("Look for input devices again"));
    srcRow->addWidget(m_source, 1);
    srcRow->addWidget(m_refresh);
    form->addRow(tr("Source:"), srcRow);

    auto* wavRow = new QHBoxLayout;
    m_wav = new QLineEdit;
    m_wav->setPlaceholderText(tr("WAV file played at real-time pace"));
    m_browse = new QPushButton(tr("Browse..."));
    m_noiseOnly = new QCheckBox(tr("noise only"));
    m_noiseOnly->setToolTip(tr("The file holds no keyword: every detection is a false accept "
                               "(false accepts per hour are shown)"));
    wavRow->addWidget(m_wav, 1);
    wavRow->addWidget(m_browse);
    wavRow->addWidget(m_noiseOnly);
    form->addRow(tr("File:"), wavRow);

    auto* ctlRow = new QHBoxLayout;
    m_threshold = new QDoubleSpinBox;
    m_threshold->setObjectName("liveThreshold");
    m_threshold->setRange(0.01, 0.99);
    m_threshold->setSingleStep(0.05);
    m_threshold->setDecimals(2);
    m_threshold->setValue(0.6);
    m_threshold->setToolTip(tr("A keyword is detected when its smoothed probability exceeds "
                               "this"));
    m_smoothing = new QSpinBox;
    m_smoothing->setObjectName("liveSmoothing");
    m_smoothing->setRange(1, 20);
    m_smoothing->setValue(3);
    m_smoothing->setSuffix(tr(" windows"));
    m_smoothing->setToolTip(tr("Probabilities are averaged over the last N windows (one every "
                               "250 ms)"));
    m_start = new QPushButton(tr("Start"));
    m_start->setObjectName("liveStart");
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName("liveStop");
    m_stop->setEnabled(false);
    ctlRow->addWidget(new QLabel(tr("Threshold:")));
    ctlRow->addWidget(m_threshold);
    ctlRow->addSpacing(12);
    ctlRow->addWidget(new QLabel(tr("Smoothing:")));
    ctlRow->addWidget(m_smoothing);
    ctlRow->addStretch(1);
    ctlRow->addWidget(m_start);
    ctlRow->addWidget(m_stop);
    form->addRow(ctlRow);
    outer->addLayout(form);

    m_model = new QLabel(tr("No model loaded: pick a run and press Start."));
    m_model->setWordWrap(true);
    outer->addWidget(m_model);

    // Bars and detections.
    auto* split = new QSplitter(Qt::Horizontal);
    m_plot = new QCustomPlot;
    m_plot->setMinimumSize(360, 240);
    m_plot->yAxis->setRange(0, 1.0);
    m_plot->yAxis->setLabel(tr("probability (smoothed)"));
    auto makeBars = [this](const QColor& c, const QString& name) {
        auto* b = new QCPBars(m_plot->xAxis, m_plot->yAxis);
        b->setName(name);
        b->setPen(QPen(c.darker(130)));
        b->setBrush(c);
        b->setWidth(0.7);
        return b;
    };
    m_otherBars = makeBars(kOtherColor, tr("not a keyword"));
    m_keywordBars = makeBars(kKeywordColor, tr("keyword"));
    m_hitBars = makeBars(kHitColor, tr("detected"));
    m_line = new QCPItemStraightLine(m_plot);
    m_line->setPen(QPen(kThresholdColor, 1.5, Qt::DashLine));
    m_lineText = new QCPItemText(m_plot);
    m_lineText->setColor(kThresholdColor);
    m_lineText->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    m_lineText->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    m_lineText->position->setTypeY(QCPItemPosition::ptPlotCoords);
    setThresholdLine(0.6);
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    split->addWidget(m_plot);

    m_detections = new QTableWidget(0, 3);
    m_detections->setObjectName("liveDetections");
    m_detections->setHorizontalHeaderLabels({tr("Time"), tr("Keyword"), tr("Probability")});
    m_detections->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_detections->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_detections->verticalHeader()->setVisible(false);
    m_detections->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_detections->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_detections->setMinimumWidth(240);
    split->addWidget(m_detections);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({760, 340});
    outer->addWidget(split, 1);

    m_status = new QLabel(tr("Stopped."));
    m_status->setObjectName("liveStatus");
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    outer->addWidget(m_status);

    setDevices({});
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] { updateSourceWidgets(); });
    connect(m_source, &QComboBox::activated, this,
            [this] { m_wavChosen = m_source->currentData().toInt() == kWavItem; });
    connect(m_refresh, &QPushButton::clicked, this, &LivePage::refreshDevicesRequested);
    connect(m_browse, &QPushButton::clicked, this, &LivePage::browseWav);
    connect(runBrowse, &QPushButton::clicked, this, &LivePage::browseRun);
    connect(m_start, &QPushButton::clicked, this, &LivePage::startRequested);
    connect(m_stop, &QPushButton::clicked, this, &LivePage::stopRequested);
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        setThresholdLine(v);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        Q_EMIT thresholdChanged(v);
    });
    connect(m_smoothing, &QSpinBox::valueChanged, this, &LivePage::smoothingChanged);
}

void LivePage::setProjectRoot(const std::filesystem::path& root)
{
    m_projectRoot = root;
    const QString keep = runDir();
    m_run->clear();
    if (!root.empty()) {
        std::error_code ec;
        for (const auto& r : listRuns(root / "runs"))
            if (std::filesystem::exists(r.dir / "best.pt", ec))
                m_run->addItem(QString::fromStdString(r.name),
                               QString::fromStdString(r.dir.string()));
    }
    if (!keep.isEmpty())
        setRunDir(keep);
}

void LivePage::setRunDir(const QString& dir)
{
    if (dir.isEmpty())
        return;
    int i = m_run->findData(dir);
    if (i < 0) {
        m_run->addItem(
            QString::fromStdString(std::filesystem::path(dir.toStdString()).filename().string()),
            dir);
        i = m_run->count() - 1;
    }
    m_run->setCurrentIndex(i);
}

QString LivePage::runDir() const
{
    return m_run->currentData().toString();
}

bool LivePage::int8() const
{
    return m_int8->isChecked();
}

void LivePage::setDevices(const std::vector<dw::audio::DeviceInfo>& devices, const QString& error)
{
    const bool wasWav = m_wavChosen;
    const int oldDevice = m_source->currentData().toInt();
    QSignalBlocker block(m_source);
    m_source->clear();
    int inputs = 0;
    for (const auto& d : devices) {
        if (d.maxInputChannels <= 0)
            continue;
        m_source->addItem(QString::fromStdString(d.label()), d.index);
        if (d.isDefaultInput && !wasWav)
            m_source->setCurrentIndex(m_source->count() - 1);
        ++inputs;
    }
    if (inputs == 0)
        m_source->addItem(error.isEmpty() ? tr("(no input device found)") : "(" + error + ")", -2);
    m_source->addItem(tr("WAV file (played at real-time pace through the fake backend)"), kWavItem);
    if (wasWav || inputs == 0)
        m_source->setCurrentIndex(m_source->count() - 1);
    else if (int i = m_source->findData(oldDevice); oldDevice >= 0 && i >= 0)
        m_source->setCurrentIndex(i); // the device picked before the refresh
    updateSourceWidgets();
}

void LivePage::setWavFile(const QString& path, bool noiseOnly)
{
    m_wavChosen = true;
    m_source->setCurrentIndex(m_source->findData(kWavItem));
    m_wav->setText(path);
    m_noiseOnly->setChecked(noiseOnly);
    updateSourceWidgets();
}

LiveSource LivePage::source() const
{
    LiveSource s;
    const int d = m_source->currentData().toInt();
    s.wav = d == kWavItem;
    s.device = s.wav ? -1 : (d == -2 ? -2 : d);
    s.wavPath = m_wav->text().trimmed();
    s.noiseOnly = s.wav && m_noiseOnly->isChecked();
    return s;
}

double LivePage::threshold() const
{
    return m_threshold->value();
}

int LivePage::smoothing() const
{
    return m_smoothing->value();
}

void LivePage::updateSourceWidgets()
{
    const bool wav = m_source->currentData().toInt() == kWavItem;
    m_wav->setEnabled(wav && !m_running);
    m_browse->setEnabled(wav && !m_running);
    m_noiseOnly->setEnabled(wav && !m_running);
}

void LivePage::browseWav()
{
    const QString f = QFileDialog::getOpenFileName(this, tr("WAV file to play"), m_wav->text(),
                                                   tr("WAV files (*.wav)"));
    if (!f.isEmpty())
        setWavFile(f, m_noiseOnly->isChecked());
}

void LivePage::browseRun()
{
    const QString start = m_projectRoot.empty()
                              ? QString()
                              : QString::fromStdString((m_projectRoot / "runs").string());
    const QString d = QFileDialog::getExistingDirectory(this, tr("Run folder"), start);
    if (!d.isEmpty())
        setRunDir(d);
}

void LivePage::setThresholdLine(double t)
{
    m_line->point1->setCoords(0, t);
    m_line->point2->setCoords(1, t);
    m_lineText->position->setCoords(0.99, t);
    m_lineText->setText(tr("threshold %1").arg(t, 0, 'f', 2));
}

void LivePage::showModel(const std::vector<std::string>& labels, const QString& description)
{
    m_labels = labels;
    m_isKeyword.clear();
    for (const auto& l : labels)
        m_isKeyword.push_back(isKeywordLabel(l));
    m_values.assign(labels.size(), 0.0);
    m_lastHit = -1;
    m_lastHitTime = -1;
    m_windowsShown = 0;
    m_last.windows = -1;
    m_model->setText(tr("Model: %1").arg(description));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (size_t i = 0; i < labels.size(); ++i)
        ticker->addTick(double(i), QString::fromStdString(labels[i]));
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setTickLabelRotation(labels.size() > 8 ? 45 : 0);
    m_plot->xAxis->setRange(-0.6, double(labels.size()) - 0.4);
    m_plot->xAxis->grid()->setVisible(false);
    m_detections->setRowCount(0);
    showWindow(LiveWindow{});
}

void LivePage::showWindow(const dw::LiveWindow& w)
{
    const size_t C = m_labels.size();
    if (!w.smoothed.empty()) {
        ++m_windowsShown;
        for (size_t c = 0; c < C && c < w.smoothed.size(); ++c)
            m_values[c] = w.smoothed[c];
    }
    // The detected keyword stays highlighted for a second of stream time.
    if (m_lastHit >= 0 && w.time - m_lastHitTime > 1.0)
        m_lastHit = -1;
    refreshBars();
}

void LivePage::refreshBars()
{
    const size_t C = m_labels.size();
    QVector<double> keys, kw, other, hit;
    for (size_t c = 0; c < C; ++c) {
        keys << double(c);
        const bool isHit = int(c) == m_lastHit;
        kw << (m_isKeyword[c] && !isHit ? m_values[c] : 0.0);
        other << (!m_isKeyword[c] ? m_values[c] : 0.0);
        hit << (isHit ? m_values[c] : 0.0);
    }
    m_keywordBars->setData(keys, kw, true);
    m_otherBars->setData(keys, other, true);
    m_hitBars->setData(keys, hit, true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LivePage::addDetection(const dw::Detection& d)
{
    m_lastHit = d.classIndex;
    m_lastHitTime = d.time;
    refreshBars();
    m_detections->insertRow(0);
    auto* t = new QTableWidgetItem(fmtSeconds(d.time));
    t->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto* p = new QTableWidgetItem(QString::number(d.probability, 'f', 2));
    p->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_detections->setItem(0, 0, t);
    m_detections->setItem(0, 1, new QTableWidgetItem(QString::fromStdString(d.label)));
    m_detections->setItem(0, 2, p);
    if (m_detections->rowCount() > 1000)
        m_detections->setRowCount(1000);
}

void LivePage::showStatus(long long windows, double streamSeconds, double windowsPerSecond,
                          double falseAcceptsPerHour, int detections)
{
    m_last = {windows, streamSeconds, windowsPerSecond, falseAcceptsPerHour, detections};
    QString s = tr("%1 · stream %2 · %3 windows (%4/s) · %5 detections")
                    .arg(m_running ? tr("Listening") : tr("Stopped"))
                    .arg(fmtSeconds(streamSeconds))
                    .arg(windows)
                    .arg(windowsPerSecond, 0, 'f', 1)
                    .arg(detections);
    if (source().noiseOnly)
        s += tr(" · false accepts per hour: %1").arg(falseAcceptsPerHour, 0, 'f', 1);
    m_status->setStyleSheet({});
    m_status->setText(s);
}

void LivePage::setRunning(bool running)
{
    m_running = running;
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
    m_run->setEnabled(!running);
    m_int8->setEnabled(!running);
    m_source->setEnabled(!running);
    m_refresh->setEnabled(!running);
    updateSourceWidgets();
    if (!running && m_last.windows >= 0 && m_status->styleSheet().isEmpty())
        showStatus(m_last.windows, m_last.stream, m_last.rate, m_last.fah, m_last.detections);
}

void LivePage::showError(const dw::Error& e)
{
    setRunning(false);
    m_status->setStyleSheet("color: #b00020;");
    m_status->setText(QString::fromStdString(e.text()));
}

void LivePage::showMessage(const QString& text)
{
    m_status->setStyleSheet({});
    m_status->setText(text);
}

std::vector<double> LivePage::barValues() const
{
    return m_values;
}

} // namespace dw::ui
