// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/training_page.h"

#include "dw/core/atomic_file.h"
#include "dw/ui/knob_form.h"
#include "dw/ui/run_plots.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QPalette>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace dw::ui {

namespace {
const QString kEiBaseline = QStringLiteral("Edge Impulse baseline");
const QString kSmallDendrites = QStringLiteral("Small + dendrites");
const QString kBlockTutorial = QStringLiteral("PerforatedAI block tutorial (ei2d) + cc");
const QString kPaperBlock = QStringLiteral("Paper block (2-D family) + cc");

QString formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "?";
    const int s = int(std::lround(seconds));
    if (s >= 3600)
        return QString("%1:%2:%3")
            .arg(s / 3600)
            .arg((s / 60) % 60, 2, 10, QChar('0'))
            .arg(s % 60, 2, 10, QChar('0'));
    return QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}
// "P->N after epoch 59: no candidate improved for p_patience (10) epochs"
QString switchLine(const SwitchRecord& s)
{
    return QString("%1 after epoch %2: %3")
        .arg(QString::fromStdString(s.kind))
        .arg(s.epoch)
        .arg(QString::fromStdString(s.note));
}
} // namespace

std::map<std::string, std::string> TrainingPage::builtinPreset(const QString& name)
{
    if (name == kEiBaseline)
        return {{"model", "ei1d"},    {"mode", "traditional"}, {"lr", "0.005"},
                {"batch_size", "32"}, {"epochs_max", "100"},   {"dropout", "0.25"},
                {"n_patience", "15"}, {"max_dendrites", "0"},  {"input_noise", "0"}};
    if (name == kSmallDendrites)
        return {{"model", "custom"},    {"conv_dim", "1"},    {"conv_layers", "1"},
                {"linear_layers", "1"}, {"width", "0.25"},    {"growth_mode", "0"},
                {"dropout", "0.1"},     {"mode", "cc"},       {"perforate", "all"},
                {"max_dendrites", "3"}, {"n_patience", "10"}, {"p_patience", "10"},
                {"lr", "0.005"},        {"batch_size", "32"}, {"epochs_max", "200"}};
    // The Edge Impulse block's tutorial net with its training (train_audio_dendritic.py): Adam
    // 1e-3, input noise 0.2, MaxNorm 1 on the conv kernels; the block's "fast" switch speed.
    if (name == kBlockTutorial)
        return {{"model", "ei2d"},
                {"mode", "cc"},
                {"lr", "0.001"},
                {"batch_size", "32"},
                {"input_noise", "0.2"},
                {"n_patience", "10"},
                {"p_patience", "10"},
                {"max_dendrites", "3"},
                {"perforate", "all"},
                {"dendrite_activation", "tanh"},
                {"init_multiplier", "0.01"},
                {"warmup_batches", "40"}};
    // The block's train.py defaults (3 conv, 2 linear, width 2, growth mode 5, dropout 0.1,
    // thresholds "medium"), with the "medium" switch speed instead of "slow" (100 epochs).
    if (name == kPaperBlock)
        return {{"model", "block"},
                {"conv_layers", "3"},
                {"linear_layers", "2"},
                {"width", "2"},
                {"growth_mode", "5"},
                {"dropout", "0.1"},
                {"input_noise", "0"},
                {"mode", "cc"},
                {"lr", "0.001"},
                {"batch_size", "32"},
                {"n_patience", "25"},
                {"p_patience", "25"},
                {"max_dendrites", "3"},
                {"perforate", "all"},
                {"init_multiplier", "0.01"},
                {"dendrite_activation", "tanh"},
                {"warmup_batches", "40"},
                {"improvement_thresholds", "0.001,0.0001,0"}};
    return {};
}

TrainingPage::TrainingPage(QWidget* parent) : QWidget(parent)
{
    auto* outer = new QHBoxLayout(this);
    auto* split = new QSplitter(Qt::Horizontal, this);
    outer->addWidget(split);

    // Left: presets and knobs.
    auto* left = new QWidget(split);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 4, 0);
    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(new QLabel(tr("Preset"), left));
    m_presets = new QComboBox(left);
    m_presets->setObjectName("presetCombo");
    m_presets->setToolTip(tr("Fill the form from a preset; your own presets are saved in the "
                             "project (training_presets.json)."));
    presetRow->addWidget(m_presets, 1);
    m_savePreset = new QPushButton(tr("Save as preset..."), left);
    presetRow->addWidget(m_savePreset);
    leftLayout->addLayout(presetRow);
    auto* scroll = new QScrollArea(left);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_form = new KnobForm(scroll);
    scroll->setWidget(m_form);
    leftLayout->addWidget(scroll, 1);

    // Right: controls, progress, plots.
    auto* right = new QWidget(split);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 0, 0, 0);
    auto* buttons = new QHBoxLayout;
    m_start = new QPushButton(tr("Start"), right);
    m_start->setObjectName("startButton");
    m_start->setToolTip(tr("Train a new run with these knobs (a new folder under runs/)."));
    m_pause = new QPushButton(tr("Pause after epoch"), right);
    m_pause->setToolTip(tr("Finish the current epoch, save, and stop; Resume continues it."));
    m_stop = new QPushButton(tr("Stop"), right);
    m_stop->setToolTip(tr("Stop now; the best checkpoint so far is kept."));
    m_resume = new QPushButton(tr("Resume"), right);
    m_resume->setToolTip(tr("Continue the last stopped run from its latest checkpoint."));
    for (QPushButton* b : {m_start, m_pause, m_stop, m_resume})
        buttons->addWidget(b);
    buttons->addStretch(1);
    rightLayout->addLayout(buttons);
    m_progress = new QProgressBar(right);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("batch %v / %m"));
    rightLayout->addWidget(m_progress);
    m_status = new QLabel(tr("Idle."), right);
    m_status->setObjectName("trainStatus");
    rightLayout->addWidget(m_status);
    // Why the last phase ended, in the tracker's words (the strip shows the short reason).
    m_lastSwitch = new QLabel(right);
    m_lastSwitch->setObjectName("lastSwitch");
    m_lastSwitch->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_lastSwitch->setMinimumHeight(m_lastSwitch->fontMetrics().lineSpacing() + 2);
    rightLayout->addWidget(m_lastSwitch);
    m_message = new QLabel(right);
    m_message->setObjectName("trainMessage");
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Always laid out with room for two lines: a label that appears (or grows) at the end of a
    // run resizes the plots below it, and that relayout + replot blocked the GUI thread ~40 ms.
    m_message->setMinimumHeight(2 * m_message->fontMetrics().lineSpacing() + 2);
    m_message->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    rightLayout->addWidget(m_message);
    m_plots = new RunPlots(right);
    rightLayout->addWidget(m_plots, 1);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({360, 1000});

    connect(m_start, &QPushButton::clicked, this, &TrainingPage::onStart);
    connect(m_resume, &QPushButton::clicked, this, &TrainingPage::onResume);
    connect(m_pause, &QPushButton::clicked, this, [this] {
        m_pausePending = true;
        updateStatus();
        Q_EMIT pauseRequested();
    });
    connect(m_stop, &QPushButton::clicked, this, [this] {
        setState(State::Stopping);
        Q_EMIT stopRequested();
    });
    connect(m_presets, &QComboBox::activated, this,
            [this](int i) { applyPreset(m_presets->itemText(i)); });
    connect(m_savePreset, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save preset"), tr("Preset name:"),
                                                   QLineEdit::Normal, {}, &ok)
                                 .trimmed();
        if (!ok || name.isEmpty())
            return;
        if (auto s = savePreset(name); !s)
            showMessage(QString::fromStdString(s.error().text()), true);
    });
    refreshPresetCombo();
    setState(State::Idle);
}

bool TrainingPage::confirm(const QString& title, const QString& text) const
{
    if (m_confirm)
        return m_confirm(title, text);
    return QMessageBox::question(const_cast<TrainingPage*>(this), title, text) == QMessageBox::Yes;
}

void TrainingPage::setProject(const std::filesystem::path& root, const FeatureConfig& features)
{
    m_projectRoot = root;
    m_features = features;
    // Keep the user's knobs, take the project's features.
    TrainConfig base;
    base.features = features;
    auto current = m_form->config(base);
    TrainConfig c = current ? *current : base;
    c.features = features;
    m_form->setConfig(c);
    refreshPresetCombo();
    setState(m_state);
}

QString TrainingPage::presetFile() const
{
    if (!m_projectRoot.empty())
        return QString::fromStdString((m_projectRoot / "training_presets.json").string());
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    return dir.isEmpty() ? QString() : dir + "/training_presets.json";
}

std::map<std::string, std::map<std::string, std::string>> TrainingPage::loadUserPresets() const
{
    std::map<std::string, std::map<std::string, std::string>> out;
    QFile f(presetFile());
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QJsonObject all = QJsonDocument::fromJson(f.readAll()).object();
    for (auto it = all.begin(); it != all.end(); ++it) {
        const QJsonObject knobs = it.value().toObject();
        auto& m = out[it.key().toStdString()];
        for (auto k = knobs.begin(); k != knobs.end(); ++k)
            m[k.key().toStdString()] = k.value().toString().toStdString();
    }
    return out;
}

QStringList TrainingPage::presetNames() const
{
    QStringList names = {kEiBaseline, kSmallDendrites, kBlockTutorial, kPaperBlock};
    for (const auto& [name, knobs] : loadUserPresets())
        if (!names.contains(QString::fromStdString(name)))
            names << QString::fromStdString(name);
    return names;
}

void TrainingPage::refreshPresetCombo()
{
    const QSignalBlocker block(m_presets);
    const QString current = m_presets->currentText();
    m_presets->clear();
    m_presets->addItems(presetNames());
    const int i = m_presets->findText(current);
    m_presets->setCurrentIndex(std::max(0, i));
}

bool TrainingPage::applyPreset(const QString& name)
{
    std::map<std::string, std::string> knobs = builtinPreset(name);
    if (knobs.empty()) {
        auto user = loadUserPresets();
        auto it = user.find(name.toStdString());
        if (it == user.end()) {
            showMessage(tr("There is no preset named '%1'.").arg(name), true);
            return false;
        }
        knobs = it->second;
    }
    // Start from the defaults so a preset means the same thing whatever was in the form.
    TrainConfig c;
    c.features = m_features;
    QStringList rejected;
    for (const auto& [k, v] : knobs)
        if (auto s = c.set(k, v); !s)
            rejected << QString::fromStdString(s.error().text());
    m_form->setConfig(c);
    const int i = m_presets->findText(name);
    if (i >= 0)
        m_presets->setCurrentIndex(i);
    if (!rejected.isEmpty()) {
        showMessage(
            tr("Preset '%1' has values this version rejects: %2").arg(name, rejected.join("; ")),
            true);
        return false;
    }
    showMessage(tr("Preset '%1' applied.").arg(name), false);
    return true;
}

Status TrainingPage::savePreset(const QString& name)
{
    if (name == kEiBaseline || name == kSmallDendrites || name == kBlockTutorial ||
        name == kPaperBlock) {
        std::string what = name.toStdString();
        what.insert(0, 1, '\'');
        what.append("' is a built-in preset");
        return makeError(what, "choose another name for your preset");
    }
    auto c = m_form->config();
    if (!c) {
        std::string what = "the form has an invalid value: ";
        what.append(c.error().message);
        return makeError(what, "fix the field marked in red, then save the preset");
    }
    QJsonObject knobs;
    for (const KnobSpec& k : trainingKnobs())
        if (k.group != "Features")
            knobs.insert(QString::fromStdString(k.name),
                         QString::fromStdString(knobValue(*c, k.name)));
    const QString file = presetFile();
    if (file.isEmpty())
        return makeError("no place to save presets", "open a project first");
    QJsonObject all;
    {
        QFile f(file);
        if (f.open(QIODevice::ReadOnly))
            all = QJsonDocument::fromJson(f.readAll()).object();
    }
    all.insert(name, knobs);
    QDir().mkpath(QFileInfo(file).absolutePath());
    const QByteArray bytes = QJsonDocument(all).toJson();
    if (auto s = writeFileAtomic(file.toStdString(), std::string(bytes.constData(), bytes.size()));
        !s)
        return s;
    refreshPresetCombo();
    m_presets->setCurrentIndex(m_presets->findText(name));
    showMessage(tr("Preset '%1' saved.").arg(name), false);
    return {};
}

void TrainingPage::onStart()
{
    if (m_projectRoot.empty()) {
        showMessage(tr("No project is open. Open or create a project (File menu) with clips of "
                       "at least two labels, then start training."),
                    true);
        return;
    }
    TrainConfig base;
    base.features = m_features;
    auto c = m_form->config(base);
    if (!c) {
        showMessage(tr("Cannot start: %1").arg(QString::fromStdString(c.error().text())), true);
        return;
    }
    m_runConfig = *c;
    m_runDir.clear();
    m_plots->clear();
    m_lastSwitch->clear();
    m_plots->setTitle(
        tr("new %1 run (loading data...)").arg(QString::fromStdString(m_runConfig.mode)));
    m_message->clear();
    m_epoch = m_batch = m_batches = m_phaseEpochs = m_sinceBest = m_k = 0;
    m_phase = 'N';
    m_phaseBest = -1;
    m_epochSeconds = 0;
    m_pausePending = false;
    setState(State::Loading);
    Q_EMIT startRequested(m_runConfig);
}

void TrainingPage::onResume()
{
    if (m_resumableRun.empty()) {
        showMessage(tr("There is no stopped run to resume. Reopen one from the run history "
                       "(Runs page) or start a new run."),
                    true);
        return;
    }
    auto run = readRun(m_resumableRun);
    if (run) {
        m_runConfig = run->config;
        showRun(*run);
        if (!run->epochs.empty())
            m_epoch = run->epochs.back().epoch;
    }
    m_pausePending = false;
    setState(State::Loading);
    Q_EMIT resumeRequested(QString::fromStdString(m_resumableRun.string()));
}

void TrainingPage::setState(State s)
{
    m_state = s;
    const bool idle = s == State::Idle;
    m_start->setEnabled(idle);
    m_resume->setEnabled(idle && !m_resumableRun.empty());
    m_pause->setEnabled(s == State::Running && !m_pausePending);
    m_stop->setEnabled(s == State::Running || s == State::Loading);
    m_form->setEnabled(idle);
    m_presets->setEnabled(idle);
    m_savePreset->setEnabled(idle);
    updateStatus();
}

QString TrainingPage::statusText() const
{
    return m_status->text();
}
QString TrainingPage::messageText() const
{
    return m_message->text();
}

void TrainingPage::showMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_messageIsError = error;
    // A palette, not a style sheet (no style-sheet machinery on the GUI thread for a message).
    QPalette pal = m_message->palette();
    pal.setColor(QPalette::WindowText, error ? QColor(0xc0, 0x39, 0x2b) : QColor(0x2d, 0x6a, 0x2d));
    m_message->setPalette(pal);
    QFont f = m_message->font();
    f.setBold(error);
    m_message->setFont(f);
}

void TrainingPage::updateStatus()
{
    QString text;
    switch (m_state) {
    case State::Idle:
        text = m_runDir.empty() ? tr("Idle.")
                                : tr("Idle. Last run: %1")
                                      .arg(QString::fromStdString(m_runDir.filename().string()));
        break;
    case State::Loading:
        text = tr("Loading features...");
        break;
    case State::Stopping:
        text = tr("Stopping (the best checkpoint is kept)...");
        break;
    case State::Running: {
        const bool p = m_phase == 'P';
        text = tr("Epoch %1 of at most %2 \u00b7 %3-phase (K=%4)")
                   .arg(std::max(1, m_epoch + (m_batch > 0 ? 1 : 0)))
                   .arg(m_runConfig.epochs_max)
                   .arg(QChar(m_phase))
                   .arg(m_k);
        // The phase ends at the latest when patience runs out: N waits n_patience epochs
        // without a new best, P waits p_patience epochs (spec sections 4-5).
        const int patience = p ? m_runConfig.p_patience : m_runConfig.n_patience;
        int left = std::max(0, patience - m_sinceBest);
        left = std::min(left, std::max(0, m_runConfig.epochs_max - m_epoch));
        if (m_epochSeconds > 0 && m_phaseEpochs > 0)
            text += tr(" \u00b7 phase ends in \u2264 %1 epochs (~%2)")
                        .arg(left)
                        .arg(formatDuration(left * m_epochSeconds));
        if (m_pausePending)
            text += tr(" \u00b7 pausing after this epoch");
        break;
    }
    }
    m_status->setText(text);
}

bool TrainingPage::maybeStopForClose()
{
    if (!isBusy())
        return true;
    if (!confirm(tr("Training in progress"),
                 tr("A training run is in progress. Stop it now and close? The best checkpoint "
                    "so far is kept and the run can be resumed later.")))
        return false;
    setState(State::Stopping);
    Q_EMIT stopRequested();
    return true;
}

void TrainingPage::runStarted(const QString& runDir, bool resumed)
{
    m_runDir = runDir.toStdString();
    m_resumableRun.clear();
    setState(State::Running);
    if (!resumed)
        m_plots->setTitle(tr("%1 \u00b7 %2 \u00b7 running")
                              .arg(QString::fromStdString(m_runDir.filename().string()),
                                   QString::fromStdString(m_runConfig.mode)));
}

void TrainingPage::datasetProgress(int done, int total)
{
    m_progress->setRange(0, std::max(1, total));
    m_progress->setValue(done);
    m_progress->setFormat(tr("features %v / %m"));
}

void TrainingPage::epochFinished(const EpochRecord& e)
{
    if (e.phase != m_phase || m_phaseEpochs == 0) {
        if (e.phase != m_phase) {
            m_phaseEpochs = 0;
            m_phaseBest = -1;
            m_sinceBest = 0;
        }
    }
    m_phase = e.phase;
    m_k = e.dendrites.empty() ? 0 : *std::max_element(e.dendrites.begin(), e.dendrites.end());
    ++m_phaseEpochs;
    double score = e.val_accuracy;
    if (e.phase == 'P' && !e.candidate_scores.empty())
        score = *std::max_element(e.candidate_scores.begin(), e.candidate_scores.end());
    if (score > m_phaseBest * (e.phase == 'P' ? 1.1 : 1.0) + 1e-5) {
        m_phaseBest = score;
        m_sinceBest = 0;
    } else {
        ++m_sinceBest;
    }
    m_epoch = e.epoch;
    m_batch = 0;
    // Smooth the epoch time: the ETA should not jump with one slow epoch.
    m_epochSeconds = m_epochSeconds <= 0 ? e.seconds : 0.7 * m_epochSeconds + 0.3 * e.seconds;
    m_plots->appendEpoch(e);
    updateStatus();
}

void TrainingPage::switched(const SwitchRecord& s)
{
    m_plots->appendSwitch(s);
    if (!s.note.empty() && s.kind != "added")
        m_lastSwitch->setText(switchLine(s));
    if (isStructuralSwitch(s.kind)) {
        // A restructure restarts the per-cycle bookkeeping (the tracker resets its cycle best).
        m_phaseEpochs = 0;
        m_phaseBest = -1;
        m_sinceBest = 0;
        m_k = s.dendrites;
    }
    updateStatus();
}

void TrainingPage::batchProgress(int epoch, char phase, int batch, int batches)
{
    if (m_state == State::Loading)
        setState(State::Running);
    m_phase = phase;
    m_batch = batch;
    m_batches = batches;
    m_progress->setFormat(tr("epoch %1 \u00b7 batch %v / %m").arg(epoch));
    m_progress->setRange(0, std::max(1, batches));
    m_progress->setValue(batch);
    if (epoch != m_epoch + 1 || batch <= 1)
        updateStatus();
}

void TrainingPage::runFinished(const RunSummary& summary)
{
    const std::filesystem::path dir = m_runDir;
    const bool stopped = summary.status == "stopped";
    m_resumableRun = stopped ? dir : std::filesystem::path();
    m_pausePending = false;
    setState(State::Idle);
    m_progress->setRange(0, 1);
    if (summary.status.rfind("failed", 0) == 0) {
        // The engine ended the run itself (e.g. the loss became NaN): the run folder keeps the
        // epochs before it and the best checkpoint, but the run is not resumable.
        m_progress->setValue(0);
        m_progress->setFormat(tr("failed"));
        const std::string why = summary.stop_reason.empty() ? summary.status : summary.stop_reason;
        showMessage(
            tr("Run %1 failed: %2. Lower the learning rate (lr) and start a new run; if "
               "it fails again, check the project's clips.")
                .arg(QString::fromStdString(dir.filename().string()), QString::fromStdString(why)),
            true);
        if (auto run = readRun(dir))
            m_plots->setTitle(runTitle(*run));
        Q_EMIT runEnded(QString::fromStdString(dir.string()));
        return;
    }
    m_progress->setValue(stopped ? 0 : 1);
    m_progress->setFormat(stopped ? tr("stopped") : tr("finished"));
    QString text = tr("Run %1 %2 after %3 epochs: %4 params, validation %5, test %6 "
                      "(at the best validation epoch %7).")
                       .arg(QString::fromStdString(dir.filename().string()),
                            QString::fromStdString(summary.status))
                       .arg(summary.epochs)
                       .arg(formatCount(summary.params))
                       .arg(summary.val_accuracy, 0, 'f', 3)
                       .arg(summary.test_accuracy, 0, 'f', 3)
                       .arg(summary.best_epoch);
    if (!summary.stop_reason.empty())
        text += " " + QString::fromStdString(summary.stop_reason);
    if (stopped)
        text += tr(" Resume continues it.");
    showMessage(text, false);
    if (auto run = readRun(dir))
        m_plots->setTitle(runTitle(*run));
    Q_EMIT runEnded(QString::fromStdString(dir.string()));
}

void TrainingPage::runFailed(const Error& error)
{
    const std::filesystem::path dir = m_runDir;
    m_pausePending = false;
    setState(State::Idle);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("failed"));
    showMessage(tr("Training failed: %1").arg(QString::fromStdString(error.text())), true);
    if (!dir.empty())
        Q_EMIT runEnded(QString::fromStdString(dir.string()));
}

void TrainingPage::showRun(const RunRecord& run)
{
    m_plots->setRun(run);
    m_lastSwitch->clear();
    for (auto it = run.switches.rbegin(); it != run.switches.rend(); ++it)
        if (!it->note.empty() && it->kind != "added") {
            m_lastSwitch->setText(switchLine(*it));
            break;
        }
    if (!isBusy() && run.status == "stopped")
        m_resumableRun = run.dir;
    setState(m_state);
}

} // namespace dw::ui
