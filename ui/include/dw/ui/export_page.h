// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Export page: pick a run and a format (C float32, C int8, ONNX), choose a folder, export.
// The export runs as the `dendrite export ... --json` command in a QProcess (no threads in ui,
// no torch here); its progress lines stream into a log and its JSON result fills the board
// report shown beside the accuracy, as Edge Impulse's deployment page shows them: flash, RAM,
// MACs per inference, the Cortex-M4F measured sizes, and the test accuracy of the LibTorch and
// the exported model. GUI thread only.

#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QWidget>

#include <filesystem>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace dw::ui {

class ExportPage : public QWidget
{
    Q_OBJECT
public:
    explicit ExportPage(QWidget* parent = nullptr);
    ~ExportPage() override;

    // The `dendrite` executable that runs the export (default: next to this application).
    void setCliPath(const QString& path) { m_cli = path; }
    QString cliPath() const { return m_cli; }
    // Lists the project's runs (newest first); an empty path clears the page.
    void setProjectRoot(const std::filesystem::path& root);
    // Selects a run by folder path (adds it to the list if it is not there).
    void setRunDir(const QString& runDir);
    QString runDir() const;
    void setFormat(const QString& format); // "c" | "c-int8" | "onnx"
    QString format() const;
    void setOutputDir(const QString& dir);
    bool isRunning() const;

    // Fills the report from `dendrite export --json` output (also used by screenshots).
    void showReport(const QJsonObject& result);
    QString reportText() const; // the report as plain text (tests, copy to clipboard)

public Q_SLOTS:
    void startExport();
    void cancelExport();

Q_SIGNALS:
    void exportFinished(bool ok, const QString& outDir);

private:
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void appendLog(const QString& text);
    void updateButtons();

    QString m_cli;
    QComboBox* m_run = nullptr;
    QComboBox* m_format = nullptr;
    QLineEdit* m_out = nullptr;
    QPushButton* m_browse = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_cancel = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QLabel* m_accTorch = nullptr;
    QLabel* m_accExport = nullptr;
    QLabel* m_flash = nullptr;
    QLabel* m_ram = nullptr;
    QLabel* m_macs = nullptr;
    QLabel* m_params = nullptr;
    QLabel* m_arm = nullptr;
    QLabel* m_status = nullptr;
    QPointer<QProcess> m_proc;
    QByteArray m_stdout;
    QString m_lastOut;
};

} // namespace dw::ui
