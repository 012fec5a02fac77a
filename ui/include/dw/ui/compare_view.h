// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Side-by-side comparison of runs: validation accuracy over epochs on one plot, clean params
// (log x) vs test accuracy scatter coloured by model type (plot_style.h colours), a table of
// differences against a chosen reference run (error reduction and parameter change in %, as the
// paper reports them), and the confusion matrix of a chosen run on the test split. Confusion
// data comes from a provider the app sets (it runs the model; the ui library never does).
// GUI thread only.

#include "dw/core/result.h"
#include "dw/core/run_record.h"
#include "dw/ui/confusion_matrix.h"

#include <QWidget>

#include <filesystem>
#include <functional>
#include <vector>

class QComboBox;
class QCustomPlot;
class QTableWidget;

namespace dw::ui {

// Test accuracy and params of a run's result (summary, else best validation epoch so far).
struct RunResult {
    long long params = 0;
    double val = 0;
    double test = 0;
};
RunResult runResult(const RunRecord& run);
// Paper-style differences of `run` against `reference`:
// error reduction % = (err_ref - err) / err_ref * 100 with err = 1 - test accuracy;
// parameter change % = (params - params_ref) / params_ref * 100.
double errorReductionPercent(const RunRecord& run, const RunRecord& reference);
double paramChangePercent(const RunRecord& run, const RunRecord& reference);

class CompareView : public QWidget
{
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);

    void setRuns(std::vector<RunRecord> runs);
    const std::vector<RunRecord>& runs() const { return m_runs; }
    void setReference(int index);
    int reference() const { return m_reference; }

    using ConfusionProvider = std::function<Result<ConfusionData>(const RunRecord&)>;
    void setConfusionProvider(ConfusionProvider p) { m_provider = std::move(p); }
    // Computes and shows the confusion matrix of run `index` (through the provider).
    Status showConfusion(int index);

    QCustomPlot* curvesPlot() const { return m_curves; }
    QCustomPlot* scatterPlot() const { return m_scatter; }
    QTableWidget* differencesTable() const { return m_table; }
    ConfusionMatrixView* confusionView() const { return m_confusion; }

Q_SIGNALS:
    void message(const QString& text, bool error);

private:
    void rebuildPlots();
    void rebuildTable();

    std::vector<RunRecord> m_runs;
    int m_reference = 0;
    QCustomPlot* m_curves = nullptr;
    QCustomPlot* m_scatter = nullptr;
    QComboBox* m_refCombo = nullptr;
    QComboBox* m_confCombo = nullptr;
    QTableWidget* m_table = nullptr;
    ConfusionMatrixView* m_confusion = nullptr;
    ConfusionProvider m_provider;
};

// A self-contained HTML report of a run: summary, every knob, the figure (embedded PNG) and the
// confusion matrix when given. Written atomically.
Status writeRunReport(const RunRecord& run, const ConfusionData* confusion,
                      const std::filesystem::path& htmlFile);

} // namespace dw::ui
