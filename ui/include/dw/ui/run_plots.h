// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The figure of one training run (live or finished), like the PerforatedAI library's 2x2 figure:
//   top:   phase timeline strip over each column (N, P, N, P ... blocks with K and why each
//          ended), on the same epoch axis as the panels under it
//   grid:  accuracy (train/val/test) with N/P spans shaded and dendrite additions marked |
//          clean parameter count (step line)
//          loss (train/val)                  | candidates per wrapped layer: normalised
//                                            |   correlation (solid, left) and best score
//                                            |   (dashed, log, right); "weak" below 0.05
//          learning rate (log y): neurons in |  seconds per epoch
//          N, candidates in P
// Every time panel shades the phases in the same two colours (plot_style.h).
// Live runs: appendEpoch/appendSwitch add one point per series and queue one replot; nothing is
// rebuilt. GUI thread only.

#include "dw/core/result.h"
#include "dw/core/run_record.h"
#include "dw/core/training.h"
#include "dw/ui/phase_timeline.h"

#include <QWidget>
#include <qcustomplot.h>

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPGraph;
class QCPTextElement;
class QCPAbstractItem;
class QCPItemText;

namespace dw::ui {

class RunPlots : public QWidget
{
    Q_OBJECT
public:
    enum class Panel
    {
        Timeline, // over the left column
        TimelineRight,
        Accuracy,
        Params,
        Loss,
        Candidates,
        LearningRate,
        EpochTime
    };

    explicit RunPlots(QWidget* parent = nullptr);

    void clear();
    // Replaces everything with a finished (or partially written) run.
    void setRun(const RunRecord& run);
    void setTitle(const QString& title);
    // Names of the wrapped layers for the candidate legend (default "layer 1", ...).
    void setLayerNames(const std::vector<std::string>& names);

    // Live updates, in arrival order (a switch "after epoch e" arrives after epoch e).
    void appendEpoch(const EpochRecord& e);
    void appendSwitch(const SwitchRecord& s);

    // PNG or PDF by extension; width/height 0 = current size.
    Status save(const std::filesystem::path& out, int width = 0, int height = 0);
    // Lays the figure out at width x height (0 = the widget's size) even when it is hidden, as
    // save() does before it renders; the axis rects then have their final pixel sizes.
    void layoutAt(int width, int height);

    // Inspection (tests, export).
    QCustomPlot* customPlot() const { return m_plot; }
    QCPAxisRect* panel(Panel p) const;
    const std::vector<PhaseSpan>& phaseSpans() const { return m_spans.spans(); }
    int additionMarkerCount() const { return m_additions; }
    int revertMarkerCount() const { return m_reverts; }
    int epochCount() const { return m_epochs; }
    QCPGraph* trainAccuracyGraph() const { return m_trainAcc; }
    QCPGraph* valAccuracyGraph() const { return m_valAcc; }
    QCPGraph* testAccuracyGraph() const { return m_testAcc; }
    QCPGraph* paramsGraph() const { return m_params; }
    QCPGraph* learningRateGraph() const { return m_lr; }                           // N epochs
    QCPGraph* candidateRateGraph() const { return m_lrP; }                         // P epochs
    const std::vector<QCPGraph*>& candidateGraphs() const { return m_candidates; } // scores
    const std::vector<QCPGraph*>& correlationGraphs() const { return m_correlations; }
    // Text shown in the candidate panel ("healthy", "weak candidates", ...): judged on the
    // normalised correlation, or on the raw score for records written before it existed.
    QString candidateVerdict() const;
    // The timeline text of each span as drawn (full, short or just the phase letter).
    QStringList timelineLabels() const;

private:
    struct SpanItems
    {
        std::vector<QCPAbstractItem*> shades; // one per time panel
        std::vector<QCPAbstractItem*> blocks; // one per timeline strip
        std::vector<QCPItemText*> texts;      // timeline labels
    };

    QCPAxisRect* makePanel(const QString& yLabel, bool logY);
    QCPGraph* makeGraph(QCPAxisRect* rect, const QColor& color, const QString& name,
                        Qt::PenStyle style = Qt::SolidLine, double width = 1.5);
    void addSpanItems(const PhaseSpan& span);
    void updateLastSpanItems();
    void refreshTimelineLabels();
    void addMarker(const SwitchRecord& s);
    void rescale();
    void ensureCandidateGraphs(size_t n);
    void setDenseStyle(bool dense);
    static void thinGraph(QCPGraph* g);
    void trackItem(QCPAbstractItem* item) { m_dynamicItems.push_back(item); }

    QCustomPlot* m_plot = nullptr;
    QCPTextElement* m_title = nullptr;
    QCPAxisRect* m_timeline = nullptr;
    QCPAxisRect* m_timelineRight = nullptr;
    QCPAxisRect* m_acc = nullptr;
    QCPAxisRect* m_paramsRect = nullptr;
    QCPAxisRect* m_loss = nullptr;
    QCPAxisRect* m_cand = nullptr;
    QCPAxisRect* m_lrRect = nullptr;
    QCPAxisRect* m_time = nullptr;
    QCPGraph* m_trainAcc = nullptr;
    QCPGraph* m_valAcc = nullptr;
    QCPGraph* m_testAcc = nullptr;
    QCPGraph* m_bestVal = nullptr;
    QCPGraph* m_trainLoss = nullptr;
    QCPGraph* m_valLoss = nullptr;
    QCPGraph* m_params = nullptr;
    QCPGraph* m_lr = nullptr;
    QCPGraph* m_lrP = nullptr;
    QCPGraph* m_seconds = nullptr;
    std::vector<QCPGraph*> m_candidates;
    std::vector<QCPGraph*> m_correlations;
    std::vector<std::string> m_layerNames;
    QCPItemText* m_candText = nullptr;
    std::vector<QCPAbstractItem*> m_dynamicItems;
    std::vector<SpanItems> m_spanItems;
    PhaseSpanBuilder m_spans;
    int m_epochs = 0;
    bool m_dense = false; // thin plain lines once a run has kDenseEpochs epochs
    std::vector<std::tuple<QCPGraph*, QPen, QCPScatterStyle>> m_normalStyles;
    int m_lastEpoch = 0;
    int m_additions = 0;
    int m_reverts = 0;
    int m_pEpochs = 0;
    double m_bestValAcc = -1;
    double m_maxCandScore = 0;
    double m_lastCorrelation = -1; // best layer's, in the latest P epoch (-1: none recorded)
    double m_maxCorrelation = 0;
    double m_minAcc = 1.0;
};

// Renders the figure of a run to FILE.png or FILE.pdf without a window (creates an offscreen
// QApplication when none exists, see ensureGuiApplication). For `dendrite plot` and others.
Status renderRunPlot(const RunRecord& run, const std::filesystem::path& out, int width = 1500,
                     int height = 1050);

// "run name · cc · 12,345 params · val 0.912 · test 0.905" (what is known so far).
QString runTitle(const RunRecord& run);
// 12345 -> "12,345"
QString formatCount(long long n);

} // namespace dw::ui
