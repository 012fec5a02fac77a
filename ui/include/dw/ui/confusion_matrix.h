// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Confusion matrix of one run on a split: rows = true label, columns = predicted label, cells
// shaded by the row fraction (diagonal green, errors red). Clicking a cell lists the clips in it;
// double-click or Play plays one through a callback the app provides. GUI thread only.

#include <QWidget>

#include <functional>
#include <string>
#include <vector>

class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace dw::ui {

struct ConfusionData {
    std::vector<std::string> labels;  // class index -> label
    std::vector<int> truth;           // per clip
    std::vector<int> predicted;       // per clip
    std::vector<std::string> clipIds; // per clip
    // counts[t][p]
    std::vector<std::vector<int>> counts() const;
    double accuracy() const;
    // Clip ids with this true and predicted label.
    std::vector<std::string> clips(int truthIndex, int predictedIndex) const;
};

class ConfusionMatrixView : public QWidget
{
    Q_OBJECT
public:
    explicit ConfusionMatrixView(QWidget* parent = nullptr);

    void setData(const ConfusionData& data, const QString& title = {});
    void clear(const QString& message = {});
    const ConfusionData& data() const { return m_data; }

    using PlayCallback = std::function<void(const std::string& clipId)>;
    void setPlayCallback(PlayCallback cb) { m_play = std::move(cb); }

    // Same as clicking cell (t, p); returns the clips listed.
    std::vector<std::string> selectCell(int truthIndex, int predictedIndex);
    QStringList listedClips() const;
    // Plays the n-th listed clip through the callback; false when there is none.
    bool playListed(int n);
    QTableWidget* table() const { return m_table; }
    // The matrix and its title only (for reports and screenshots).
    QWidget* matrixWidget() const { return m_matrixBox; }

Q_SIGNALS:
    void clipsListed(const QStringList& clipIds);

private:
    ConfusionData m_data;
    QWidget* m_matrixBox = nullptr;
    QLabel* m_title = nullptr;
    QTableWidget* m_table = nullptr;
    QLabel* m_listTitle = nullptr;
    QListWidget* m_list = nullptr;
    QPushButton* m_playButton = nullptr;
    PlayCallback m_play;
};

// An HTML table of the matrix with the same colours (for run reports).
QString confusionHtml(const ConfusionData& data);

} // namespace dw::ui
