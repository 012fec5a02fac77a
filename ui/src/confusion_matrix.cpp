// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/confusion_matrix.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace dw::ui {

std::vector<std::vector<int>> ConfusionData::counts() const
{
    const size_t n = labels.size();
    std::vector<std::vector<int>> c(n, std::vector<int>(n, 0));
    for (size_t i = 0; i < truth.size() && i < predicted.size(); ++i)
        if (truth[i] >= 0 && size_t(truth[i]) < n && predicted[i] >= 0 && size_t(predicted[i]) < n)
            ++c[truth[i]][predicted[i]];
    return c;
}

double ConfusionData::accuracy() const
{
    if (truth.empty())
        return 0;
    size_t ok = 0;
    for (size_t i = 0; i < truth.size() && i < predicted.size(); ++i)
        ok += truth[i] == predicted[i];
    return double(ok) / double(truth.size());
}

std::vector<std::string> ConfusionData::clips(int t, int p) const
{
    std::vector<std::string> out;
    for (size_t i = 0; i < truth.size() && i < predicted.size() && i < clipIds.size(); ++i)
        if (truth[i] == t && predicted[i] == p)
            out.push_back(clipIds[i]);
    return out;
}

namespace {
// Row fraction -> cell colour: the diagonal goes white -> green, errors white -> red.
QColor cellColor(double fraction, bool diagonal)
{
    const double f = std::clamp(fraction, 0.0, 1.0);
    const QColor full = diagonal ? QColor(0x2e, 0x9e, 0x44) : QColor(0xd0, 0x3a, 0x2f);
    // Errors are rarer: boost them so a 10 % confusion is visible.
    const double a = diagonal ? f : std::min(1.0, f * 2.5);
    return QColor(int(255 + (full.red() - 255) * a), int(255 + (full.green() - 255) * a),
                  int(255 + (full.blue() - 255) * a));
}
} // namespace

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QHBoxLayout(this);
    m_matrixBox = new QWidget(this);
    auto* left = new QVBoxLayout(m_matrixBox);
    m_title = new QLabel(m_matrixBox);
    m_title->setWordWrap(true);
    QFont f = m_title->font();
    f.setBold(true);
    m_title->setFont(f);
    left->addWidget(m_title);
    auto* axis = new QLabel(tr("rows: true label \u00b7 columns: predicted label \u00b7 "
                               "click a cell to list its clips"),
                            m_matrixBox);
    axis->setStyleSheet("color: #666;");
    left->addWidget(axis);
    m_table = new QTableWidget(m_matrixBox);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    left->addWidget(m_table, 1);
    layout->addWidget(m_matrixBox, 4);

    auto* right = new QVBoxLayout;
    m_listTitle = new QLabel(tr("Clips"), this);
    m_listTitle->setWordWrap(true);
    right->addWidget(m_listTitle);
    m_list = new QListWidget(this);
    right->addWidget(m_list, 1);
    m_playButton = new QPushButton(tr("Play"), this);
    m_playButton->setEnabled(false);
    right->addWidget(m_playButton);
    layout->addLayout(right, 1);

    connect(m_table, &QTableWidget::cellClicked, this,
            [this](int row, int col) { selectCell(row, col); });
    connect(m_list, &QListWidget::itemDoubleClicked, this,
            [this](QListWidgetItem* item) { playListed(m_list->row(item)); });
    connect(m_playButton, &QPushButton::clicked, this,
            [this] { playListed(std::max(0, m_list->currentRow())); });
    clear();
}

void ConfusionMatrixView::clear(const QString& message)
{
    m_data = {};
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    m_list->clear();
    m_title->setText(message.isEmpty() ? tr("No confusion matrix yet.") : message);
    m_playButton->setEnabled(false);
}

void ConfusionMatrixView::setData(const ConfusionData& data, const QString& title)
{
    m_data = data;
    const auto counts = data.counts();
    const int n = int(data.labels.size());
    m_table->clear();
    m_table->setRowCount(n);
    m_table->setColumnCount(n);
    QStringList names;
    for (const auto& l : data.labels)
        names << QString::fromStdString(l);
    m_table->setHorizontalHeaderLabels(names);
    m_table->setVerticalHeaderLabels(names);
    // Stretched columns may not get narrower than their label ("unknown" was clipped).
    int widest = 0;
    const QFontMetrics fm(m_table->horizontalHeader()->font());
    for (const QString& name : names)
        widest = std::max(widest, fm.horizontalAdvance(name));
    m_table->horizontalHeader()->setMinimumSectionSize(widest + 8);
    for (int t = 0; t < n; ++t) {
        int rowTotal = 0;
        for (int p = 0; p < n; ++p)
            rowTotal += counts[t][p];
        for (int p = 0; p < n; ++p) {
            const double frac = rowTotal ? double(counts[t][p]) / rowTotal : 0.0;
            auto* item = new QTableWidgetItem(QString::number(counts[t][p]));
            item->setTextAlignment(Qt::AlignCenter);
            const QColor bg = cellColor(frac, t == p);
            item->setBackground(bg);
            item->setForeground(bg.lightness() < 140 ? Qt::white : Qt::black);
            item->setToolTip(tr("true %1, predicted %2: %3 clips (%4 % of %1)")
                                 .arg(names[t], names[p])
                                 .arg(counts[t][p])
                                 .arg(100.0 * frac, 0, 'f', 1));
            m_table->setItem(t, p, item);
        }
    }
    m_title->setText((title.isEmpty() ? QString() : title + " \u00b7 ") +
                     tr("accuracy %1 on %2 clips")
                         .arg(data.accuracy(), 0, 'f', 3)
                         .arg(data.truth.size()));
    m_list->clear();
    m_listTitle->setText(tr("Clips (click a cell)"));
    m_playButton->setEnabled(false);
}

std::vector<std::string> ConfusionMatrixView::selectCell(int t, int p)
{
    m_list->clear();
    const int n = int(m_data.labels.size());
    if (t < 0 || p < 0 || t >= n || p >= n)
        return {};
    const auto clips = m_data.clips(t, p);
    QStringList ids;
    for (const auto& c : clips) {
        ids << QString::fromStdString(c);
        m_list->addItem(ids.back());
    }
    m_listTitle->setText(tr("%1 clips: true %2, predicted %3")
                             .arg(clips.size())
                             .arg(QString::fromStdString(m_data.labels[t]),
                                  QString::fromStdString(m_data.labels[p])));
    if (!clips.empty())
        m_list->setCurrentRow(0);
    m_playButton->setEnabled(!clips.empty() && m_play != nullptr);
    Q_EMIT clipsListed(ids);
    return clips;
}

QStringList ConfusionMatrixView::listedClips() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        out << m_list->item(i)->text();
    return out;
}

bool ConfusionMatrixView::playListed(int n)
{
    if (!m_play || n < 0 || n >= m_list->count())
        return false;
    m_play(m_list->item(n)->text().toStdString());
    return true;
}

QString confusionHtml(const ConfusionData& data)
{
    const auto counts = data.counts();
    const size_t n = data.labels.size();
    QString h = "<table class='cm'><tr><th>true \\ predicted</th>";
    for (const auto& l : data.labels)
        h += "<th>" + QString::fromStdString(l).toHtmlEscaped() + "</th>";
    h += "</tr>";
    for (size_t t = 0; t < n; ++t) {
        int total = 0;
        for (size_t p = 0; p < n; ++p)
            total += counts[t][p];
        h += "<tr><th>" + QString::fromStdString(data.labels[t]).toHtmlEscaped() + "</th>";
        for (size_t p = 0; p < n; ++p) {
            const QColor bg = cellColor(total ? double(counts[t][p]) / total : 0.0, t == p);
            h += QString("<td style='background:%1;color:%2'>%3</td>")
                     .arg(bg.name(), bg.lightness() < 140 ? "#fff" : "#000")
                     .arg(counts[t][p]);
        }
        h += "</tr>";
    }
    return h + "</table>";
}

} // namespace dw::ui
