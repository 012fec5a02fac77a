// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/export_page.h"

#include "dw/core/export.h"
#include "dw/core/run_record.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace dw::ui {

namespace {
QString bytesText(double b)
{
    if (b < 0)
        return QStringLiteral("n/a");
    return QStringLiteral("%1 kB").arg(b / 1024.0, 0, 'f', 1);
}
QString pctText(double v)
{
    return v < 0 ? QStringLiteral("n/a") : QStringLiteral("%1 %").arg(100.0 * v, 0, 'f', 1);
}
QLabel* valueLabel()
{
    auto* l = new QLabel(QStringLiteral("-"));
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = l->font();
    f.setPointSizeF(f.pointSizeF() * 1.3);
    f.setBold(true);
    l->setFont(f);
    return l;
}
} // namespace

ExportPage::ExportPage(QWidget* parent) : QWidget(parent)
{
    m_cli = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("dendrite"));

    auto* form = new QFormLayout;
    m_run = new QComboBox;
    m_run->setMinimumContentsLength(30);
    m_run->setToolTip(tr("The run whose best checkpoint (best.pt) is exported"));
    form->addRow(tr("Run"), m_run);
    m_format = new QComboBox;
    m_format->addItem(tr("C header + C99 runtime, float32"), QStringLiteral("c"));
    m_format->addItem(tr("C header + C99 runtime, int8 (calibrated on the training split)"),
                      QStringLiteral("c-int8"));
    m_format->addItem(tr("ONNX (opset 13)"), QStringLiteral("onnx"));
    form->addRow(tr("Format"), m_format);
    auto* outRow = new QHBoxLayout;
    m_out = new QLineEdit;
    m_out->setPlaceholderText(tr("Folder for model.h, the runtime sources and main.c"));
    m_browse = new QPushButton(tr("Browse..."));
    outRow->addWidget(m_out, 1);
    outRow->addWidget(m_browse);
    form->addRow(tr("Output folder"), outRow);

    auto* buttons = new QHBoxLayout;
    m_export = new QPushButton(tr("Export"));
    m_export->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"));
    m_status = new QLabel;
    buttons->addWidget(m_export);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_status, 1);

    // The board report, beside the accuracy (Edge Impulse's deployment summary).
    auto* report = new QGroupBox(tr("On-device estimate (Cortex-M4F)"));
    auto* grid = new QGridLayout(report);
    auto addCell = [&](int row, int col, const QString& title, QLabel*& value) {
        auto* t = new QLabel(title);
        t->setStyleSheet(QStringLiteral("color: palette(mid);"));
        value = valueLabel();
        grid->addWidget(t, row * 2, col);
        grid->addWidget(value, row * 2 + 1, col);
    };
    addCell(0, 0, tr("Accuracy (LibTorch, test)"), m_accTorch);
    addCell(0, 1, tr("Accuracy (exported, test)"), m_accExport);
    addCell(0, 2, tr("MACs / inference"), m_macs);
    addCell(1, 0, tr("Flash"), m_flash);
    addCell(1, 1, tr("RAM"), m_ram);
    addCell(1, 2, tr("Parameters"), m_params);
    m_arm = new QLabel;
    m_arm->setWordWrap(true);
    m_arm->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(m_arm, 4, 0, 1, 3);

    m_log = new QPlainTextEdit;
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_log->setPlaceholderText(tr("Export progress appears here."));

    auto* top = new QVBoxLayout(this);
    top->addLayout(form);
    top->addLayout(buttons);
    top->addWidget(report);
    top->addWidget(m_log, 1);

    connect(m_export, &QPushButton::clicked, this, &ExportPage::startExport);
    connect(m_cancel, &QPushButton::clicked, this, &ExportPage::cancelExport);
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString d =
            QFileDialog::getExistingDirectory(this, tr("Export folder"), m_out->text());
        if (!d.isEmpty())
            m_out->setText(d);
    });
    connect(m_out, &QLineEdit::textChanged, this, [this] { updateButtons(); });
    connect(m_run, &QComboBox::currentIndexChanged, this, [this] {
        // Default folder: <run>/export-<format>, so the user can press Export at once.
        if (!runDir().isEmpty() && (m_out->text().isEmpty() || m_out->text() == m_lastOut)) {
            m_lastOut = QDir(runDir()).filePath(QStringLiteral("export-") + format());
            m_out->setText(m_lastOut);
        }
        updateButtons();
    });
    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        if (!runDir().isEmpty() && (m_out->text().isEmpty() || m_out->text() == m_lastOut)) {
            m_lastOut = QDir(runDir()).filePath(QStringLiteral("export-") + format());
            m_out->setText(m_lastOut);
        }
    });
    updateButtons();
}

ExportPage::~ExportPage()
{
    if (m_proc) {
        m_proc->disconnect(this);
        m_proc->kill();
        m_proc->waitForFinished(2000);
    }
}

void ExportPage::setProjectRoot(const std::filesystem::path& root)
{
    m_run->clear();
    if (root.empty())
        return;
    for (const auto& r : dw::listRuns(root / "runs")) {
        QString label = QString::fromStdString(r.name);
        if (r.summary)
            label += tr("  (%1 params, test %2)")
                         .arg(r.summary->params)
                         .arg(pctText(r.summary->test_accuracy));
        else
            label += QStringLiteral("  (") + QString::fromStdString(r.status) + QStringLiteral(")");
        m_run->addItem(label, QString::fromStdString(r.dir.string()));
    }
    updateButtons();
}

void ExportPage::setRunDir(const QString& runDir)
{
    int i = m_run->findData(runDir);
    if (i < 0) {
        m_run->addItem(QFileInfo(runDir).fileName(), runDir);
        i = m_run->count() - 1;
    }
    m_run->setCurrentIndex(i);
}

QString ExportPage::runDir() const
{
    return m_run->currentData().toString();
}

void ExportPage::setFormat(const QString& format)
{
    const int i = m_format->findData(format);
    if (i >= 0)
        m_format->setCurrentIndex(i);
}

QString ExportPage::format() const
{
    return m_format->currentData().toString();
}

void ExportPage::setOutputDir(const QString& dir)
{
    m_out->setText(dir);
}

bool ExportPage::isRunning() const
{
    return m_proc && m_proc->state() != QProcess::NotRunning;
}

void ExportPage::updateButtons()
{
    const bool running = isRunning();
    m_export->setEnabled(!running && !runDir().isEmpty() && !m_out->text().trimmed().isEmpty());
    m_cancel->setEnabled(running);
    m_run->setEnabled(!running);
    m_format->setEnabled(!running);
    m_out->setEnabled(!running);
    m_browse->setEnabled(!running);
}

void ExportPage::appendLog(const QString& text)
{
    for (const QString& line : text.split('\n', Qt::SkipEmptyParts))
        m_log->appendPlainText(line);
}

void ExportPage::startExport()
{
    if (isRunning())
        return;
    if (runDir().isEmpty() || m_out->text().trimmed().isEmpty()) {
        m_status->setText(tr("Choose a run and an output folder first."));
        return;
    }
    if (!QFileInfo(m_cli).isExecutable()) {
        m_status->setText(
            tr("Cannot find the dendrite command at %1; reinstall the workbench.").arg(m_cli));
        return;
    }
    QStringList args{QStringLiteral("export"),   runDir(),
                     QStringLiteral("--format"), format(),
                     QStringLiteral("--out"),    m_out->text().trimmed(),
                     QStringLiteral("--json")};
    // The export never replaces the user's files unasked (issue 18): a previous export's own
    // files are replaced, anything else of the same name only after a yes here (--force).
    if (const auto fmt = dw::exportFormatFromName(format().toStdString())) {
        const QString out = m_out->text().trimmed();
        const auto conflicts = dw::exportConflicts(out.toStdString(), *fmt);
        if (!conflicts.empty() && conflicts.front() != ".") {
            QStringList names;
            for (size_t i = 0; i < conflicts.size() && i < 8; ++i)
                names << QString::fromStdString(conflicts[i]);
            if (conflicts.size() > 8)
                names << tr("...");
            const auto answer = QMessageBox::question(
                this, tr("Replace files?"),
                tr("The folder %1 holds %n file(s) that Dendrite did not export, or that were "
                   "changed since it did: %2.\n\nReplace them with the exported files?",
                   nullptr, int(conflicts.size()))
                    .arg(out, names.join(QStringLiteral(", "))),
                QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
            if (answer != QMessageBox::Yes) {
                m_status->setText(tr("Not exported: choose an empty folder, or allow replacing "
                                     "the files."));
                return;
            }
            args << QStringLiteral("--force");
        }
    }
    m_stdout.clear();
    m_log->clear();
    m_proc = new QProcess(this);
    appendLog(QStringLiteral("$ dendrite ") + args.join(' '));
    connect(m_proc, &QProcess::readyReadStandardOutput, this,
            [this] { m_stdout += m_proc->readAllStandardOutput(); });
    connect(m_proc, &QProcess::readyReadStandardError, this,
            [this] { appendLog(QString::fromUtf8(m_proc->readAllStandardError())); });
    connect(m_proc, &QProcess::finished, this, &ExportPage::onFinished);
    connect(m_proc, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            m_status->setText(
                tr("The dendrite command did not start: %1").arg(m_proc->errorString()));
            m_proc->deleteLater();
            updateButtons();
        }
    });
    m_status->setText(tr("Exporting..."));
    m_proc->start(m_cli, args);
    updateButtons();
}

void ExportPage::cancelExport()
{
    if (isRunning()) {
        m_proc->kill();
        m_status->setText(tr("Export cancelled."));
    }
}

void ExportPage::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_stdout += m_proc->readAllStandardOutput();
    appendLog(QString::fromUtf8(m_proc->readAllStandardError()));
    m_proc->deleteLater();
    const QString out = m_out->text().trimmed();
    bool ok = false;
    if (status == QProcess::NormalExit && exitCode == 0) {
        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(m_stdout, &err);
        if (doc.isObject()) {
            showReport(doc.object());
            m_status->setText(tr("Exported to %1").arg(out));
            ok = true;
        } else {
            m_status->setText(
                tr("The export finished but its report is unreadable: %1").arg(err.errorString()));
        }
    } else if (status == QProcess::NormalExit) {
        m_status->setText(
            tr("Export failed (exit code %1); see the log for what to do.").arg(exitCode));
    }
    updateButtons();
    Q_EMIT exportFinished(ok, out);
}

void ExportPage::showReport(const QJsonObject& r)
{
    const QJsonObject b = r.value(QStringLiteral("board")).toObject();
    m_accTorch->setText(pctText(r.value(QStringLiteral("torch_test_accuracy")).toDouble(-1)));
    m_accExport->setText(pctText(r.value(QStringLiteral("exported_test_accuracy")).toDouble(-1)));
    m_macs->setText(QLocale().toString(b.value(QStringLiteral("macs")).toDouble(), 'f', 0));
    m_params->setText(QLocale().toString(b.value(QStringLiteral("params")).toDouble(), 'f', 0));
    const bool measured = b.value(QStringLiteral("arm_measured")).toBool();
    m_flash->setText(bytesText(b.value(QStringLiteral("flash_bytes")).toDouble(-1)) +
                     (measured ? QString() : tr(" (est.)")));
    m_ram->setText(bytesText(b.value(QStringLiteral("ram_bytes")).toDouble(-1)) +
                   (measured ? QString() : tr(" (est.)")));
    QString note =
        tr("Weights %1, network scratch %2, features %3, stack %4 (estimate).")
            .arg(bytesText(b.value(QStringLiteral("weight_bytes")).toDouble(-1)),
                 bytesText(b.value(QStringLiteral("scratch_bytes")).toDouble(-1)),
                 bytesText(b.value(QStringLiteral("feature_bytes")).toDouble(-1)),
                 bytesText(b.value(QStringLiteral("stack_bytes_estimate")).toDouble(-1)));
    if (measured)
        note += tr(" arm-none-eabi-size: text %1, data %2, bss %3.")
                    .arg(b.value(QStringLiteral("arm_text")).toInteger())
                    .arg(b.value(QStringLiteral("arm_data")).toInteger())
                    .arg(b.value(QStringLiteral("arm_bss")).toInteger());
    const QString armNote = b.value(QStringLiteral("arm_note")).toString();
    if (!armNote.isEmpty())
        note += QStringLiteral("\n") + armNote;
    const int clips = r.value(QStringLiteral("test_clips")).toInt();
    if (clips > 0)
        note +=
            tr("\nAccuracy on %1 test clips; largest probability difference to LibTorch %2.")
                .arg(clips)
                .arg(r.value(QStringLiteral("max_probability_difference")).toDouble(), 0, 'g', 3);
    m_arm->setText(note);
}

QString ExportPage::reportText() const
{
    return QStringLiteral(
               "accuracy torch %1, exported %2; flash %3; RAM %4; MACs %5; params %6\n%7")
        .arg(m_accTorch->text(), m_accExport->text(), m_flash->text(), m_ram->text(),
             m_macs->text(), m_params->text(), m_arm->text());
}

} // namespace dw::ui
