// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/recording_page.h"

#include "dw/audio/backend.h"
#include "dw/core/project.h"
#include "dw/ui/level_meter.h"
#include "dw/ui/message_bar.h"
#include "dw/ui/waveform_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <random>

namespace dw::ui {

using dw::audio::ClipProposal;

RecordingPage::RecordingPage(dw::audio::Backend* backend, dw::Project* project, QWidget* parent)
    : QWidget(parent), m_backend(backend), m_project(project), m_recorder(backend)
{
    buildUi();
    m_timer = new QTimer(this);
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(25); // 40 Hz: smooth meter and waveform, cheap drains
    connect(m_timer, &QTimer::timeout, this, &RecordingPage::onTick);
    reloadLabels();
    refreshDevices();
    updateControls();
    updateStatus();
}

RecordingPage::~RecordingPage()
{
    stopMonitor();
    m_recorder.stop();
}

void RecordingPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    updateMonitor();
}

void RecordingPage::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    updateMonitor();
}

void RecordingPage::setMonitoring(bool on)
{
    m_monitor->setChecked(on);
}

bool RecordingPage::monitoringEnabled() const
{
    return m_monitor->isChecked();
}

void RecordingPage::updateMonitor()
{
    const bool want = m_monitor->isChecked() && isVisible() && m_backend &&
                      (m_state == State::Idle || m_state == State::Review);
    if (want && !m_monitoring)
        startMonitor();
    else if (!want && m_monitoring)
        stopMonitor();
}

void RecordingPage::startMonitor()
{
    dw::audio::CaptureConfig c;
    c.device = m_device->currentData().isValid() ? m_device->currentData().toInt() : -1;
    c.ringSeconds = 2.0;
    if (c.device < 0 && m_device->currentData().isValid()) {
        // The "No input device" row: refreshDevices() already said why; leave the toggle off.
        const QSignalBlocker block(m_monitor);
        m_monitor->setChecked(false);
        return;
    }
    if (const auto s = m_backend->startCapture(c); !s) {
        const QSignalBlocker block(m_monitor);
        m_monitor->setChecked(false);
        m_messages->showMessage(MessageBar::Level::Warning,
                                tr("Input monitoring is off: %1")
                                    .arg(QString::fromStdString(s.error().message)),
                                QString::fromStdString(s.error().hint));
        return;
    }
    m_monitoring = true;
    m_meter->reset();
    m_timer->start();
}

void RecordingPage::stopMonitor()
{
    if (!m_monitoring)
        return;
    m_monitoring = false;
    if (m_backend)
        m_backend->stopCapture();
    m_monitorBuffer.clear();
    m_meter->setLevel(-120.0, -120.0);
    if (m_state == State::Idle || m_state == State::Review)
        m_timer->stop();
}

void RecordingPage::pollMonitor()
{
    m_monitorBuffer.clear();
    const dw::Status s = m_backend->drain(m_monitorBuffer);
    if (!m_monitorBuffer.empty()) {
        int peak = 0;
        double energy = 0.0;
        for (int16_t v : m_monitorBuffer) {
            peak = std::max(peak, std::abs(int(v)));
            energy += double(v) * v;
        }
        m_meter->setLevel(dw::audio::toDbfs(peak),
                          dw::audio::toDbfs(std::sqrt(energy / double(m_monitorBuffer.size()))));
    }
    if (!s) {
        stopMonitor();
        const QSignalBlocker block(m_monitor);
        m_monitor->setChecked(false);
        m_messages->showMessage(MessageBar::Level::Warning,
                                tr("Input monitoring stopped: %1")
                                    .arg(QString::fromStdString(s.error().message)),
                                QString::fromStdString(s.error().hint));
    }
}

void RecordingPage::buildUi()
{
    auto* root = new QVBoxLayout(this);
    root->setContentsMargins(10, 8, 10, 8);
    root->setSpacing(8);
    m_messages = new MessageBar(this);
    m_messages->hide();
    root->addWidget(m_messages);

    // Input: device and level.
    auto* input = new QGroupBox(tr("Input"), this);
    auto* inRow = new QHBoxLayout(input);
    inRow->addWidget(new QLabel(tr("Device:"), input));
    m_device = new QComboBox(input);
    m_device->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_device->setMinimumContentsLength(28);
    m_device->setToolTip(tr("Input device (host API in brackets). Any rate works: audio is "
                            "converted to 16 kHz mono."));
    inRow->addWidget(m_device, 2);
    m_refresh = new QToolButton(input);
    m_refresh->setText(tr("Rescan"));
    m_refresh->setToolTip(tr("Look for devices again"));
    connect(m_refresh, &QToolButton::clicked, this, &RecordingPage::refreshDevices);
    connect(m_device, &QComboBox::currentIndexChanged, this, [this] {
        // Monitor the device the user picked.
        if (m_monitoring) {
            stopMonitor();
            updateMonitor();
        }
    });
    inRow->addWidget(m_refresh);
    inRow->addSpacing(16);
    inRow->addWidget(new QLabel(tr("Level:"), input));
    m_meter = new LevelMeter(input);
    inRow->addWidget(m_meter, 3);
    m_monitor = new QToolButton(input);
    m_monitor->setObjectName("monitorButton");
    m_monitor->setText(tr("Monitor"));
    m_monitor->setCheckable(true);
    m_monitor->setChecked(true);
    m_monitor->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_monitor->setToolTip(tr("Listen to the input and show its level before recording (nothing "
                             "is kept), so you can set the microphone gain first"));
    connect(m_monitor, &QToolButton::toggled, this, [this] { updateMonitor(); });
    inRow->addWidget(m_monitor);
    root->addWidget(input);

    // Session settings and the record button.
    auto* session = new QGroupBox(tr("Session"), this);
    auto* sRow = new QHBoxLayout(session);
    sRow->addWidget(new QLabel(tr("Label:"), session));
    m_label = new QComboBox(session);
    m_label->setEditable(true);
    m_label->setInsertPolicy(QComboBox::NoInsert);
    m_label->setMinimumContentsLength(10);
    m_label->setToolTip(tr("The word you will say; a new label is added to the project on save"));
    sRow->addWidget(m_label);
    sRow->addSpacing(12);
    m_continuous = new QRadioButton(tr("Continuous"), session);
    m_continuous->setToolTip(tr("Record for a while, repeating the word with short pauses; the "
                                "session is split into clips afterwards"));
    m_single = new QRadioButton(tr("Single clip"), session);
    m_continuous->setChecked(true);
    sRow->addWidget(m_continuous);
    m_sessionSeconds = new QDoubleSpinBox(session);
    m_sessionSeconds->setRange(1.0, 600.0);
    m_sessionSeconds->setDecimals(0);
    m_sessionSeconds->setValue(10.0);
    m_sessionSeconds->setSuffix(tr(" s"));
    m_sessionSeconds->setToolTip(tr("Session length in continuous mode"));
    sRow->addWidget(m_sessionSeconds);
    sRow->addWidget(m_single);
    sRow->addSpacing(12);
    sRow->addWidget(new QLabel(tr("Clip length:"), session));
    m_clipSeconds = new QDoubleSpinBox(session);
    m_clipSeconds->setRange(0.25, 5.0);
    m_clipSeconds->setSingleStep(0.25);
    m_clipSeconds->setValue(1.0);
    m_clipSeconds->setSuffix(tr(" s"));
    sRow->addWidget(m_clipSeconds);
    sRow->addWidget(new QLabel(tr("Countdown:"), session));
    m_countdown = new QSpinBox(session);
    m_countdown->setRange(0, 10);
    m_countdown->setValue(3);
    m_countdown->setSuffix(tr(" s"));
    sRow->addWidget(m_countdown);
    sRow->addStretch(1);
    m_record = new QPushButton(tr("Record"), session);
    m_record->setMinimumWidth(110);
    m_record->setStyleSheet("QPushButton { background: #c62828; color: white; font-weight: bold;"
                            " padding: 5px 14px; border-radius: 4px; }"
                            "QPushButton:disabled { background: #bbb; }");
    connect(m_record, &QPushButton::clicked, this, [this] {
        if (m_state == State::Countdown || m_state == State::Recording)
            stopSession();
        else
            startSession();
    });
    sRow->addWidget(m_record);
    root->addWidget(session);

    // Waveform and the review panel.
    auto* middle = new QHBoxLayout;
    m_wave = new WaveformView(this);
    middle->addWidget(m_wave, 1);
    auto* review = new QGroupBox(tr("Proposed clips"), this);
    review->setMinimumWidth(240);
    review->setMaximumWidth(300);
    auto* rCol = new QVBoxLayout(review);
    m_list = new QListWidget(review);
    rCol->addWidget(m_list, 1);
    auto* nudge = new QHBoxLayout;
    m_left = new QToolButton(review);
    m_left->setArrowType(Qt::LeftArrow);
    m_left->setToolTip(tr("Move the selected clip 10 ms earlier (drag it on the waveform too)"));
    m_left->setAutoRepeat(true);
    m_right = new QToolButton(review);
    m_right->setArrowType(Qt::RightArrow);
    m_right->setToolTip(tr("Move the selected clip 10 ms later"));
    m_right->setAutoRepeat(true);
    m_drop = new QPushButton(tr("Drop"), review);
    m_drop->setToolTip(tr("Do not save this clip (click again to keep it)"));
    nudge->addWidget(m_left);
    nudge->addWidget(m_right);
    nudge->addWidget(m_drop, 1);
    rCol->addLayout(nudge);
    auto* relabel = new QHBoxLayout;
    relabel->addWidget(new QLabel(tr("Label:"), review));
    m_regionLabel = new QComboBox(review);
    m_regionLabel->setEditable(true);
    m_regionLabel->setInsertPolicy(QComboBox::NoInsert);
    relabel->addWidget(m_regionLabel, 1);
    rCol->addLayout(relabel);
    middle->addWidget(review);
    root->addLayout(middle, 1);

    connect(m_left, &QToolButton::clicked, this, [this] { nudgeSelected(-10); });
    connect(m_right, &QToolButton::clicked, this, [this] { nudgeSelected(10); });
    connect(m_drop, &QPushButton::clicked, this, &RecordingPage::toggleDropSelected);
    connect(m_regionLabel, &QComboBox::textActivated, this, &RecordingPage::relabelSelected);
    connect(m_regionLabel->lineEdit(), &QLineEdit::editingFinished, this,
            [this] { relabelSelected(m_regionLabel->currentText()); });
    connect(m_list, &QListWidget::currentRowChanged, this, &RecordingPage::selectProposal);
    connect(m_wave, &WaveformView::regionClicked, this, &RecordingPage::selectProposal);
    connect(m_wave, &WaveformView::regionMoved, this, [this](int i, qint64 start) {
        if (i >= 0 && i < int(m_proposals.size())) {
            m_proposals[size_t(i)].start = start;
            updateProposalList();
        }
    });

    // Split settings, save.
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(new QLabel(tr("Threshold:"), this));
    m_threshold = new QDoubleSpinBox(this);
    m_threshold->setRange(0.0, 60.0);
    m_threshold->setValue(12.0);
    m_threshold->setSuffix(tr(" dB"));
    m_threshold->setToolTip(tr("How far above the noise floor a sound must be to count as a word"));
    bottom->addWidget(m_threshold);
    bottom->addWidget(new QLabel(tr("Padding:"), this));
    m_padding = new QSpinBox(this);
    m_padding->setRange(0, 500);
    m_padding->setValue(50);
    m_padding->setSuffix(tr(" ms"));
    bottom->addWidget(m_padding);
    bottom->addWidget(new QLabel(tr("Random shift:"), this));
    m_shift = new QSpinBox(this);
    m_shift->setRange(0, 500);
    m_shift->setValue(0);
    m_shift->setSuffix(tr(" ms"));
    m_shift->setToolTip(tr("Move each clip randomly by up to this much, so the word is not "
                           "always centred"));
    bottom->addWidget(m_shift);
    m_resplit = new QPushButton(tr("Split again"), this);
    connect(m_resplit, &QPushButton::clicked, this, &RecordingPage::resplit);
    bottom->addWidget(m_resplit);
    bottom->addSpacing(12);
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bottom->addWidget(m_status, 1);
    m_discard = new QPushButton(tr("Discard"), this);
    connect(m_discard, &QPushButton::clicked, this, &RecordingPage::discardSession);
    bottom->addWidget(m_discard);
    m_save = new QPushButton(tr("Save clips"), this);
    m_save->setDefault(true);
    connect(m_save, &QPushButton::clicked, this, [this] { saveClips(); });
    bottom->addWidget(m_save);
    root->addLayout(bottom);

    connect(m_continuous, &QRadioButton::toggled, this, [this] { updateControls(); });
}

void RecordingPage::setProject(dw::Project* project)
{
    m_project = project;
    reloadLabels();
    updateControls();
}

void RecordingPage::setBackend(dw::audio::Backend* backend)
{
    if (m_state == State::Recording || m_state == State::Countdown)
        stopSession();
    stopMonitor();
    m_backend = backend;
    m_recorder.setBackend(backend);
    refreshDevices();
}

void RecordingPage::reloadLabels()
{
    const QString current = m_label->currentText();
    m_label->clear();
    m_regionLabel->clear();
    if (m_project) {
        for (const auto& l : m_project->labels()) {
            m_label->addItem(QString::fromStdString(l));
            m_regionLabel->addItem(QString::fromStdString(l));
        }
    }
    if (!current.isEmpty())
        m_label->setCurrentText(current);
}

void RecordingPage::refreshDevices()
{
    // The list is rebuilt silently; monitoring restarts once on the new default device.
    stopMonitor();
    {
        const QSignalBlocker block(m_device);
        fillDevices();
    }
    updateMonitor();
}

void RecordingPage::fillDevices()
{
    m_device->clear();
    if (!m_backend) {
        m_device->addItem(tr("No audio backend"), -1);
        return;
    }
    auto devices = m_backend->listDevices();
    if (!devices) {
        m_messages->showError(devices.error());
        m_device->addItem(tr("No input device"), -1);
        return;
    }
    int defaultRow = -1;
    for (const auto& d : *devices) {
        if (d.maxInputChannels <= 0)
            continue;
        if (d.isDefaultInput)
            defaultRow = m_device->count();
        m_device->addItem(QString::fromStdString(d.label()), d.index);
    }
    if (m_device->count() == 0)
        m_device->addItem(tr("No input device found"), -1);
    else if (defaultRow >= 0)
        m_device->setCurrentIndex(defaultRow);
}

dw::SplitterConfig RecordingPage::splitterConfig() const
{
    dw::SplitterConfig c;
    c.sampleRate = m_recorder.sampleRate();
    c.windowSamples = int(std::lround(m_clipSeconds->value() * c.sampleRate));
    c.thresholdDb = m_threshold->value();
    c.paddingSeconds = m_padding->value() / 1000.0;
    c.maxShiftSeconds = m_shift->value() / 1000.0;
    c.seed = std::random_device{}();
    return c;
}

void RecordingPage::startSession()
{
    if (m_state == State::Countdown || m_state == State::Recording)
        return;
    m_messages->dismiss();
    if (m_state == State::Review && !m_proposals.empty()) {
        // Unsaved proposals of the previous session are replaced; say so once.
        m_messages->showMessage(MessageBar::Level::Info,
                                tr("The previous session's unsaved clips were discarded."));
    }
    m_proposals.clear();
    m_selected = -1;
    m_wave->setRegions({});
    m_recorder.clear();
    m_wave->setOverlay({});
    m_wave->setLive(true);
    m_wave->clearSamples();
    m_shown = 0;
    m_meter->reset();
    updateProposalList();
    if (m_countdown->value() > 0) {
        setState(State::Countdown);
        m_phaseClock.start();
        m_wave->setOverlay(QString::number(m_countdown->value()), QColor(198, 40, 40));
        m_timer->start();
    } else {
        beginRecording();
    }
}

void RecordingPage::beginRecording()
{
    stopMonitor(); // the session takes the device over
    dw::audio::CaptureConfig c;
    c.device = m_device->currentData().isValid() ? m_device->currentData().toInt() : -1;
    const auto s = m_recorder.start(c);
    if (!s) {
        m_timer->stop();
        m_wave->setOverlay({});
        m_wave->setLive(false);
        setState(State::Idle);
        m_messages->showError(s.error());
        return;
    }
    m_wave->setOverlay({});
    m_phaseClock.start();
    setState(State::Recording);
    m_timer->start();
}

void RecordingPage::stopSession()
{
    if (m_state == State::Countdown) {
        m_timer->stop();
        m_wave->setOverlay({});
        m_wave->setLive(false);
        setState(State::Idle);
        return;
    }
    if (m_state == State::Recording)
        finishRecording(std::nullopt);
}

void RecordingPage::onTick()
{
    if (m_monitoring) {
        pollMonitor();
        return;
    }
    if (m_state == State::Countdown) {
        const double left = m_countdown->value() - m_phaseClock.elapsed() / 1000.0;
        if (left <= 0.0) {
            beginRecording();
            return;
        }
        const QString text = QString::number(int(std::ceil(left)));
        if (m_wave->overlay() != text)
            m_wave->setOverlay(text, QColor(198, 40, 40));
        return;
    }
    if (m_state != State::Recording)
        return;
    auto r = m_recorder.poll();
    const auto& samples = m_recorder.samples();
    if (samples.size() > m_shown) {
        m_wave->appendSamples(std::span<const int16_t>(samples).subspan(m_shown));
        m_shown = samples.size();
    }
    m_meter->setLevel(m_recorder.lastPeakDb(), m_recorder.lastRmsDb());
    if (!r) {
        finishRecording(r.error());
        return;
    }
    const double target = m_continuous->isChecked() ? m_sessionSeconds->value()
                                                    : m_clipSeconds->value();
    if (m_recorder.seconds() >= target)
        finishRecording(std::nullopt);
    else
        updateStatus();
}

void RecordingPage::finishRecording(const std::optional<dw::Error>& deviceError)
{
    if (m_finishPending)
        return;
    m_timer->stop();
    m_recorder.stop();
    const auto& samples = m_recorder.samples();
    if (samples.size() > m_shown) {
        m_wave->appendSamples(std::span<const int16_t>(samples).subspan(m_shown));
        m_shown = samples.size();
    }
    m_wave->setLive(false);
    m_wave->xAxis->setRange(0, std::max(1.0, m_recorder.seconds()));
    m_meter->setLevel(-120.0, -120.0);
    if (deviceError) {
        dw::Error e = *deviceError;
        e.hint += QString(tr(" (%1 s recorded before the error are shown below)"))
                      .arg(m_recorder.seconds(), 0, 'f', 1)
                      .toStdString();
        m_messages->showError(e);
    }
    // This pass draws the last samples and the whole session; the split, the clip list and the
    // review controls follow in a later pass, so the GUI thread is never busy with both at once
    // (each ~10-15 ms on a loaded machine; back to back they made a session's longest stall).
    m_finishPending = true;
    QTimer::singleShot(20, this, [this] {
        m_finishPending = false;
        if (m_state != State::Recording) // discarded meanwhile
            return;
        setState(State::Review);
        resplit();
    });
}

void RecordingPage::resplit()
{
    if (m_state != State::Review)
        return;
    const dw::SplitterConfig c = splitterConfig();
    m_proposals = m_recorder.propose(c, label().toStdString());
    if (m_proposals.empty() && m_single->isChecked() && !m_recorder.samples().empty()) {
        ClipProposal p;
        p.length = c.windowSamples;
        p.label = label().toStdString();
        m_proposals.push_back(p);
    }
    if (m_proposals.empty() && !m_recorder.samples().empty())
        m_wave->setOverlay(tr("No words found: lower the threshold"), QColor(120, 120, 120));
    else
        m_wave->setOverlay({});
    m_selected = m_proposals.empty() ? -1 : 0;
    updateRegions();
    updateProposalList();
    updateControls();
    updateStatus();
}

void RecordingPage::updateRegions()
{
    std::vector<WaveRegion> regions;
    regions.reserve(m_proposals.size());
    for (const auto& p : m_proposals)
        regions.push_back({p.start, p.length, QString::fromStdString(p.label), p.keep});
    m_wave->setRegions(regions);
    m_wave->setSelectedRegion(m_selected);
}

void RecordingPage::updateProposalList()
{
    const QSignalBlocker block(m_list);
    const double rate = m_recorder.sampleRate();
    if (m_list->count() != int(m_proposals.size())) {
        m_list->clear();
        for (size_t i = 0; i < m_proposals.size(); ++i)
            m_list->addItem(QString());
    }
    for (size_t i = 0; i < m_proposals.size(); ++i) {
        const auto& p = m_proposals[i];
        auto* item = m_list->item(int(i));
        item->setText(QString("%1. %2   %3 - %4 s%5")
                          .arg(i + 1)
                          .arg(QString::fromStdString(p.label))
                          .arg(p.start / rate, 0, 'f', 2)
                          .arg((p.start + p.length) / rate, 0, 'f', 2)
                          .arg(p.keep ? QString() : tr("  (dropped)")));
        item->setForeground(p.keep ? palette().color(QPalette::Text) : QColor(150, 150, 150));
    }
    m_list->setCurrentRow(m_selected);
    updateStatus();
}

void RecordingPage::selectProposal(int index)
{
    if (index < 0 || index >= int(m_proposals.size()))
        index = -1;
    m_selected = index;
    m_wave->setSelectedRegion(index);
    {
        const QSignalBlocker block(m_list);
        m_list->setCurrentRow(index);
    }
    if (index >= 0) {
        const QSignalBlocker block(m_regionLabel);
        m_regionLabel->setCurrentText(QString::fromStdString(m_proposals[size_t(index)].label));
        m_drop->setText(m_proposals[size_t(index)].keep ? tr("Drop") : tr("Keep"));
    }
    updateControls();
}

void RecordingPage::nudgeSelected(int milliseconds)
{
    if (m_selected < 0)
        return;
    auto& p = m_proposals[size_t(m_selected)];
    const int64_t step = int64_t(milliseconds) * m_recorder.sampleRate() / 1000;
    const int64_t maxStart =
        std::max<int64_t>(0, int64_t(m_recorder.samples().size()) - p.length);
    p.start = std::clamp<int64_t>(p.start + step, std::min<int64_t>(0, p.start), maxStart);
    updateRegions();
    updateProposalList();
}

void RecordingPage::toggleDropSelected()
{
    if (m_selected < 0)
        return;
    auto& p = m_proposals[size_t(m_selected)];
    p.keep = !p.keep;
    m_drop->setText(p.keep ? tr("Drop") : tr("Keep"));
    updateRegions();
    updateProposalList();
    updateControls();
}

void RecordingPage::relabelSelected(const QString& label)
{
    if (m_selected < 0 || label.trimmed().isEmpty())
        return;
    const std::string l = label.trimmed().toStdString();
    if (auto v = dw::Project::validateLabel(l); !v) {
        m_messages->showError(v.error());
        return;
    }
    m_proposals[size_t(m_selected)].label = l;
    updateRegions();
    updateProposalList();
}

int RecordingPage::saveClips()
{
    if (!m_project) {
        m_messages->showMessage(MessageBar::Level::Error, tr("No project is open"),
                                tr("create or open a project, then save again (the recording "
                                   "stays here)"));
        return 0;
    }
    int kept = 0;
    for (const auto& p : m_proposals)
        kept += p.keep ? 1 : 0;
    if (kept == 0) {
        m_messages->showMessage(MessageBar::Level::Warning, tr("No clips to save"),
                                tr("record a session, or keep at least one proposed clip"));
        return 0;
    }
    const auto report = m_recorder.save(*m_project, m_proposals, "recorded");
    // Saved clips leave the review list; what failed (or was dropped) stays for another try.
    std::vector<size_t> idx = report.savedIndices;
    std::sort(idx.rbegin(), idx.rend());
    for (size_t i : idx)
        m_proposals.erase(m_proposals.begin() + std::ptrdiff_t(i));
    m_selected = m_proposals.empty() ? -1 : 0;
    const int saved = int(report.saved.size());
    if (report.error) {
        m_messages->showError(*report.error);
    } else {
        QString text = tr("Saved %n clip(s) to the project.", nullptr, saved);
        if (!report.skipped.empty())
            text += " " + QString::fromStdString(report.skipped.front());
        m_messages->showMessage(report.skipped.empty() ? MessageBar::Level::Info
                                                       : MessageBar::Level::Warning,
                                text);
    }
    reloadLabels();
    updateRegions();
    updateProposalList();
    updateControls();
    if (saved > 0)
        Q_EMIT clipsSaved(saved);
    return saved;
}

void RecordingPage::discardSession()
{
    if (m_state == State::Recording || m_state == State::Countdown)
        stopSession();
    m_recorder.clear();
    m_proposals.clear();
    m_selected = -1;
    m_wave->setRegions({});
    m_wave->setOverlay({});
    m_wave->clearSamples();
    m_shown = 0;
    setState(State::Idle);
    updateProposalList();
}

void RecordingPage::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    updateMonitor();
    updateControls();
    updateStatus();
    Q_EMIT stateChanged(s);
}

void RecordingPage::updateControls()
{
    const bool busy = m_state == State::Countdown || m_state == State::Recording;
    m_record->setText(busy ? tr("Stop") : tr("Record"));
    m_device->setEnabled(!busy);
    m_refresh->setEnabled(!busy);
    m_label->setEnabled(!busy);
    m_single->setEnabled(!busy);
    m_continuous->setEnabled(!busy);
    m_sessionSeconds->setEnabled(!busy && m_continuous->isChecked());
    m_clipSeconds->setEnabled(!busy);
    m_countdown->setEnabled(!busy);
    const bool review = m_state == State::Review;
    const bool sel = review && m_selected >= 0;
    m_left->setEnabled(sel);
    m_right->setEnabled(sel);
    m_drop->setEnabled(sel);
    m_regionLabel->setEnabled(sel);
    m_resplit->setEnabled(review && !m_recorder.samples().empty());
    int kept = 0;
    for (const auto& p : m_proposals)
        kept += p.keep ? 1 : 0;
    m_save->setEnabled(review && kept > 0);
    m_save->setText(kept > 0 ? tr("Save %n clip(s)", nullptr, kept) : tr("Save clips"));
    m_discard->setEnabled(!busy && (review || !m_recorder.samples().empty()));
}

QString RecordingPage::statusText() const
{
    return m_status->text();
}

void RecordingPage::updateStatus()
{
    QString s;
    switch (m_state) {
    case State::Idle:
        s = m_project ? tr("Ready. Press Record and say the word.")
                      : tr("Open a project to save clips.");
        break;
    case State::Countdown:
        s = tr("Get ready...");
        break;
    case State::Recording: {
        const double target = m_continuous->isChecked() ? m_sessionSeconds->value()
                                                        : m_clipSeconds->value();
        s = tr("Recording %1 / %2 s").arg(m_recorder.seconds(), 0, 'f', 1).arg(target, 0, 'f', 1);
        const auto st = m_recorder.stats();
        if (st.droppedSamples > 0)
            s += tr(" (%1 samples dropped: the computer is busy)").arg(st.droppedSamples);
        break;
    }
    case State::Review: {
        int kept = 0;
        for (const auto& p : m_proposals)
            kept += p.keep ? 1 : 0;
        s = tr("%1 s recorded, %2 clips proposed, %3 kept")
                .arg(m_recorder.seconds(), 0, 'f', 1)
                .arg(m_proposals.size())
                .arg(kept);
        break;
    }
    }
    m_status->setText(s);
}

void RecordingPage::setLabel(const QString& label)
{
    m_label->setCurrentText(label);
}
QString RecordingPage::label() const
{
    return m_label->currentText().trimmed();
}
void RecordingPage::setContinuous(bool on)
{
    (on ? m_continuous : m_single)->setChecked(true);
}
void RecordingPage::setSessionSeconds(double s)
{
    m_sessionSeconds->setValue(s);
}
void RecordingPage::setClipSeconds(double s)
{
    m_clipSeconds->setValue(s);
}
void RecordingPage::setCountdownSeconds(int s)
{
    m_countdown->setValue(s);
}
void RecordingPage::setThresholdDb(double db)
{
    m_threshold->setValue(db);
}
void RecordingPage::setDrainIntervalMs(int ms)
{
    m_timer->setInterval(std::clamp(ms, 5, 100));
}

} // namespace dw::ui
