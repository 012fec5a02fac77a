// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Dataset page: clips per label and split (table + stacked bar chart, imbalance
// highlighted), a filterable clip list, and for the selected clip its waveform, feature image
// (the project's FeatureConfig), play, crop, relabel, move to another split and delete
// (undoable through the shared QUndoStack). Errors are emitted as dw::Error, never thrown.
// The page does not own the project, the undo stack or the player. GUI thread only.

#include "dw/core/project.h"
#include "dw/core/result.h"

#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTableWidget;
class QTimer;
class QUndoCommand;
class QUndoStack;

namespace dw::ui {

class ClassCountsChart;
class ClipPlayer;
class ClipWaveform;
class FeatureImage;
class ClipTableModel;
class ClipFilterModel;

class DatasetPage : public QWidget
{
    Q_OBJECT
public:
    explicit DatasetPage(QWidget* parent = nullptr);
    ~DatasetPage() override;

    // nullptr shows the "no project" state. Call refresh() after changing the project elsewhere.
    void setProject(dw::Project* project);
    dw::Project* project() const { return m_project; }
    void setUndoStack(QUndoStack* stack);
    void setPlayer(ClipPlayer* player);
    void refresh();

    // Filters of the clip list. label: empty = all; split: -1 = all, else int(dw::Split).
    void setLabelFilter(const QString& label);
    void setSplitFilter(int split);
    void setSearchText(const QString& text);
    int visibleClipCount() const;
    QStringList visibleClipIds() const;

    bool selectClip(const QString& id);
    QString currentClipId() const;
    // Samples of the selected clip (empty when none).
    const std::vector<int16_t>& currentSamples() const { return m_samples; }

    // Actions on the selected clip (the buttons call these); false + errorOccurred on failure.
    bool relabelCurrent(const QString& label);
    bool moveCurrentToSplit(dw::Split split);
    bool deleteCurrent();
    bool cropCurrent(); // uses the waveform selection, see cropToWindow()
    bool playCurrent();

    QTableWidget* countsTable() const { return m_countsTable; }
    ClassCountsChart* chart() const { return m_chart; }
    ClipWaveform* waveform() const { return m_waveform; }
    FeatureImage* featureImage() const { return m_features; }
    QTableView* clipList() const { return m_list; }

Q_SIGNALS:
    void errorOccurred(const dw::Error& error);
    void infoMessage(const QString& text);
    void projectModified();
    void currentClipChanged(const QString& id);
    void importRequested();
    void generateDemoRequested();
    void newProjectRequested();
    void openProjectRequested();
    void featureSettingsRequested();

private:
    void buildUi();
    void rebuildCounts();
    void rebuildFilters();
    void showClip(const QString& id);
    void updateActions();
    void onProjectEdited();
    bool pushResult(dw::Result<std::unique_ptr<QUndoCommand>> r);

    dw::Project* m_project = nullptr;
    QUndoStack* m_undo = nullptr;
    ClipPlayer* m_player = nullptr;

    QStackedWidget* m_stack = nullptr;
    QLabel* m_summary = nullptr;
    QTableWidget* m_countsTable = nullptr;
    ClassCountsChart* m_chart = nullptr;
    QComboBox* m_labelFilter = nullptr;
    QComboBox* m_splitFilter = nullptr;
    QLineEdit* m_search = nullptr;
    QLabel* m_listCount = nullptr;
    QTableView* m_list = nullptr;
    ClipTableModel* m_model = nullptr;
    ClipFilterModel* m_filter = nullptr;

    QLabel* m_clipTitle = nullptr;
    QLabel* m_clipInfo = nullptr;
    ClipWaveform* m_waveform = nullptr;
    FeatureImage* m_features = nullptr;
    QPushButton* m_play = nullptr;
    QPushButton* m_crop = nullptr;
    QPushButton* m_delete = nullptr;
    QComboBox* m_relabel = nullptr;
    QComboBox* m_moveSplit = nullptr;
    QTimer* m_playTimer = nullptr;

    QString m_currentId;
    std::vector<int16_t> m_samples;
    bool m_updating = false;
};

} // namespace dw::ui
