// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/dataset_page.h"

#include "dw/ui/class_counts_chart.h"
#include "dw/ui/clip_commands.h"
#include "dw/ui/clip_player.h"
#include "dw/ui/clip_waveform.h"
#include "dw/ui/feature_image.h"

#include <QAbstractTableModel>
#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace dw::ui {

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
QString splitTitle(dw::Split s)
{
    switch (s) {
    case dw::Split::Train: return QObject::tr("train");
    case dw::Split::Validation: return QObject::tr("validation");
    case dw::Split::Test: return QObject::tr("test");
    }
    return {};
}

QFrame* card(QWidget* parent)
{
    auto* f = new QFrame(parent);
    f->setObjectName("dwCard");
    f->setStyleSheet("#dwCard { background: white; border: 1px solid #dfe3e8; "
                     "border-radius: 6px; }");
    return f;
}

QLabel* heading(const QString& text, QWidget* parent)
{
    auto* l = new QLabel(text, parent);
    QFont f = l->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.05);
    l->setFont(f);
    l->setStyleSheet("color: #1f2d3d;");
    return l;
}
} // namespace

// Snapshot of the project's clips (rebuilt on every change; a few thousand rows are cheap).
class ClipTableModel : public QAbstractTableModel
{
public:
    enum Column { Id, Label, Split, Length, Source, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void reset(const std::vector<dw::Clip>& clips)
    {
        beginResetModel();
        m_clips = clips;
        endResetModel();
    }
    const dw::Clip& clip(int row) const { return m_clips[size_t(row)]; }
    int rowOf(const QString& id) const
    {
        for (size_t i = 0; i < m_clips.size(); ++i)
            if (qs(m_clips[i].id) == id)
                return int(i);
        return -1;
    }
    int rowCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_clips.size());
    }
    int columnCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : ColumnCount;
    }
    QVariant data(const QModelIndex& index, int role) const override
    {
        if (!index.isValid())
            return {};
        const dw::Clip& c = m_clips[size_t(index.row())];
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
            switch (index.column()) {
            case Id: return qs(c.id);
            case Label: return qs(c.label);
            case Split: return splitTitle(c.split);
            case Length: return QString::number(c.samples / 16000.0, 'f', 2) + " s";
            case Source: return qs(c.source);
            }
        }
        if (role == Qt::ForegroundRole && index.column() == Split)
            return splitColor(int(c.split)).darker(115);
        if (role == Qt::TextAlignmentRole && index.column() == Length)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        if (role == Qt::UserRole)
            return qs(c.id);
        return {};
    }
    QVariant headerData(int section, Qt::Orientation o, int role) const override
    {
        if (o != Qt::Horizontal || role != Qt::DisplayRole)
            return {};
        switch (section) {
        case Id: return QObject::tr("Clip");
        case Label: return QObject::tr("Label");
        case Split: return QObject::tr("Split");
        case Length: return QObject::tr("Length");
        case Source: return QObject::tr("Source");
        }
        return {};
    }

private:
    std::vector<dw::Clip> m_clips;
};

class ClipFilterModel : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setFilters(const QString& label, int split, const QString& text)
    {
        beginFilterChange();
        m_label = label;
        m_split = split;
        m_text = text.trimmed();
        endFilterChange();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex&) const override
    {
        auto* m = static_cast<const ClipTableModel*>(sourceModel());
        const dw::Clip& c = m->clip(row);
        if (!m_label.isEmpty() && qs(c.label) != m_label)
            return false;
        if (m_split >= 0 && int(c.split) != m_split)
            return false;
        if (!m_text.isEmpty() && !qs(c.id).contains(m_text, Qt::CaseInsensitive)
            && !qs(c.source).contains(m_text, Qt::CaseInsensitive)
            && !qs(c.label).contains(m_text, Qt::CaseInsensitive))
            return false;
        return true;
    }

private:
    void beginFilterChange() {}
    void endFilterChange() { invalidateFilter(); }
    QString m_label;
    int m_split = -1;
    QString m_text;
};

DatasetPage::DatasetPage(QWidget* parent) : QWidget(parent)
{
    buildUi();
    setProject(nullptr);
}

DatasetPage::~DatasetPage()
{
    if (m_player && m_player->isPlaying())
        m_player->stop();
}

void DatasetPage::buildUi()
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_stack = new QStackedWidget(this);
    outer->addWidget(m_stack);

    // Empty state.
    auto* empty = new QWidget;
    auto* el = new QVBoxLayout(empty);
    el->addStretch(2);
    auto* emptyTitle = heading(tr("No project open"), empty);
    emptyTitle->setAlignment(Qt::AlignCenter);
    el->addWidget(emptyTitle);
    auto* emptyText = new QLabel(tr("A project is a folder of labelled 1 s keyword clips. "
                                    "Create one, open one, or generate the demo dataset "
                                    "(ten keywords, unknown words and noise; no download)."),
                                 empty);
    emptyText->setWordWrap(true);
    emptyText->setAlignment(Qt::AlignCenter);
    emptyText->setStyleSheet("color: #5a6270;");
    emptyText->setMaximumWidth(520);
    auto* textRow = new QHBoxLayout;
    textRow->addStretch();
    textRow->addWidget(emptyText);
    textRow->addStretch();
    el->addLayout(textRow);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    auto* bNew = new QPushButton(tr("New project\u2026"), empty);
    auto* bOpen = new QPushButton(tr("Open project\u2026"), empty);
    auto* bDemo = new QPushButton(tr("Generate demo dataset\u2026"), empty);
    bDemo->setDefault(true);
    for (auto* b : {bNew, bOpen, bDemo})
        buttons->addWidget(b);
    buttons->addStretch();
    el->addLayout(buttons);
    el->addStretch(3);
    connect(bNew, &QPushButton::clicked, this, &DatasetPage::newProjectRequested);
    connect(bOpen, &QPushButton::clicked, this, &DatasetPage::openProjectRequested);
    connect(bDemo, &QPushButton::clicked, this, &DatasetPage::generateDemoRequested);
    m_stack->addWidget(empty);

    // Content.
    auto* content = new QWidget;
    auto* cl = new QVBoxLayout(content);
    cl->setContentsMargins(16, 12, 16, 12);
    cl->setSpacing(10);

    auto* header = new QHBoxLayout;
    auto* title = new QLabel(tr("Dataset"), content);
    QFont tf = title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.5);
    tf.setBold(true);
    title->setFont(tf);
    title->setStyleSheet("color: #1f2d3d;");
    header->addWidget(title);
    m_summary = new QLabel(content);
    m_summary->setStyleSheet("color: #5a6270; padding-left: 12px;");
    header->addWidget(m_summary, 1, Qt::AlignBottom);
    auto* importButton = new QPushButton(tr("Import\u2026"), content);
    importButton->setToolTip(tr("Import WAV files or folders (a folder per label, or the Speech "
                                "Commands layout)"));
    auto* featureButton = new QPushButton(tr("Feature settings\u2026"), content);
    featureButton->setToolTip(tr("MFCC parameters used for the feature images and training"));
    header->addWidget(importButton);
    header->addWidget(featureButton);
    connect(importButton, &QPushButton::clicked, this, &DatasetPage::importRequested);
    connect(featureButton, &QPushButton::clicked, this, &DatasetPage::featureSettingsRequested);
    cl->addLayout(header);

    auto* vsplit = new QSplitter(Qt::Vertical, content);
    vsplit->setChildrenCollapsible(false);
    vsplit->setHandleWidth(8);
    cl->addWidget(vsplit, 1);

    // Top: counts table + chart.
    auto* top = card(vsplit);
    auto* tl = new QHBoxLayout(top);
    tl->setContentsMargins(12, 10, 12, 10);
    tl->setSpacing(14);
    auto* tableCol = new QVBoxLayout;
    tableCol->addWidget(heading(tr("Clips per label and split"), top));
    m_countsTable = new QTableWidget(top);
    m_countsTable->setColumnCount(5);
    m_countsTable->setHorizontalHeaderLabels(
        {tr("Train"), tr("Validation"), tr("Test"), tr("Total"), tr("Share")});
    m_countsTable->verticalHeader()->setDefaultSectionSize(22);
    m_countsTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_countsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_countsTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_countsTable->setFocusPolicy(Qt::NoFocus);
    m_countsTable->setShowGrid(false);
    m_countsTable->setAlternatingRowColors(true);
    m_countsTable->setMinimumWidth(380);
    m_countsTable->setFrameShape(QFrame::NoFrame);
    tableCol->addWidget(m_countsTable);
    tl->addLayout(tableCol, 4);
    m_chart = new ClassCountsChart(top);
    tl->addWidget(m_chart, 6);

    // Bottom: list | detail.
    auto* hsplit = new QSplitter(Qt::Horizontal, vsplit);
    hsplit->setChildrenCollapsible(false);
    hsplit->setHandleWidth(8);
    auto* listCard = card(hsplit);
    auto* ll = new QVBoxLayout(listCard);
    ll->setContentsMargins(12, 10, 12, 10);
    auto* listHead = new QHBoxLayout;
    listHead->addWidget(heading(tr("Clips"), listCard));
    m_listCount = new QLabel(listCard);
    m_listCount->setStyleSheet("color: #5a6270;");
    listHead->addWidget(m_listCount, 1);
    ll->addLayout(listHead);
    auto* filters = new QHBoxLayout;
    m_labelFilter = new QComboBox(listCard);
    m_labelFilter->setToolTip(tr("Show one label only"));
    m_splitFilter = new QComboBox(listCard);
    m_splitFilter->addItem(tr("All splits"), -1);
    m_splitFilter->addItem(tr("Train"), int(dw::Split::Train));
    m_splitFilter->addItem(tr("Validation"), int(dw::Split::Validation));
    m_splitFilter->addItem(tr("Test"), int(dw::Split::Test));
    m_splitFilter->setToolTip(tr("Show one split only"));
    m_search = new QLineEdit(listCard);
    m_search->setPlaceholderText(tr("Search clip, label or source"));
    m_search->setClearButtonEnabled(true);
    filters->addWidget(m_labelFilter);
    filters->addWidget(m_splitFilter);
    filters->addWidget(m_search, 1);
    ll->addLayout(filters);
    m_model = new ClipTableModel(this);
    m_filter = new ClipFilterModel(this);
    m_filter->setSourceModel(m_model);
    m_filter->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_list = new QTableView(listCard);
    m_list->setModel(m_filter);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setSortingEnabled(true);
    m_list->sortByColumn(ClipTableModel::Id, Qt::AscendingOrder);
    m_list->verticalHeader()->hide();
    m_list->verticalHeader()->setDefaultSectionSize(22);
    m_list->horizontalHeader()->setStretchLastSection(true);
    m_list->horizontalHeader()->setHighlightSections(false);
    m_list->setShowGrid(false);
    m_list->setAlternatingRowColors(true);
    m_list->setWordWrap(false);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setColumnWidth(ClipTableModel::Id, 150);
    m_list->setColumnWidth(ClipTableModel::Label, 70);
    m_list->setColumnWidth(ClipTableModel::Split, 76);
    m_list->setColumnWidth(ClipTableModel::Length, 60);
    ll->addWidget(m_list, 1);

    auto* detail = card(hsplit);
    auto* dl = new QVBoxLayout(detail);
    dl->setContentsMargins(12, 10, 12, 10);
    dl->setSpacing(6);
    auto* dHead = new QHBoxLayout;
    m_clipTitle = heading(tr("No clip selected"), detail);
    dHead->addWidget(m_clipTitle);
    m_clipInfo = new QLabel(detail);
    m_clipInfo->setStyleSheet("color: #5a6270;");
    m_clipInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dHead->addWidget(m_clipInfo, 1);
    dl->addLayout(dHead);
    m_waveform = new ClipWaveform(detail);
    dl->addWidget(m_waveform, 5);
    m_features = new FeatureImage(detail);
    dl->addWidget(m_features, 6);
    auto* actions = new QHBoxLayout;
    actions->setSpacing(6);
    m_play = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"), detail);
    m_play->setShortcut(Qt::Key_Space);
    m_crop = new QPushButton(tr("Crop to 1 s"), detail);
    m_crop->setToolTip(tr("Keep 1 s centred on the selected range of the waveform (drag on it to "
                          "select); a 1 s clip keeps the selection and silences the rest"));
    m_relabel = new QComboBox(detail);
    m_relabel->setToolTip(tr("Change the label of this clip (undoable)"));
    m_moveSplit = new QComboBox(detail);
    for (auto s : {dw::Split::Train, dw::Split::Validation, dw::Split::Test})
        m_moveSplit->addItem(splitTitle(s), int(s));
    m_moveSplit->setToolTip(tr("Move this clip to another split (undoable)"));
    m_delete = new QPushButton(style()->standardIcon(QStyle::SP_TrashIcon), tr("Delete"), detail);
    m_delete->setToolTip(tr("Move the clip to the project's trash (undo with Ctrl+Z)"));
    m_delete->setShortcut(QKeySequence::Delete);
    actions->addWidget(m_play);
    actions->addWidget(m_crop);
    actions->addSpacing(10);
    actions->addWidget(new QLabel(tr("Label"), detail));
    actions->addWidget(m_relabel, 1);
    actions->addWidget(new QLabel(tr("Split"), detail));
    actions->addWidget(m_moveSplit, 1);
    actions->addSpacing(10);
    actions->addWidget(m_delete);
    dl->addLayout(actions);

    hsplit->setStretchFactor(0, 4);
    hsplit->setStretchFactor(1, 6);
    vsplit->setStretchFactor(0, 3);
    vsplit->setStretchFactor(1, 7);
    m_stack->addWidget(content);

    m_playTimer = new QTimer(this);
    m_playTimer->setInterval(33);
    connect(m_playTimer, &QTimer::timeout, this, [this] {
        if (!m_player || !m_player->isPlaying()) {
            m_waveform->setPlayhead(-1);
            m_playTimer->stop();
            return;
        }
        m_waveform->setPlayhead(m_player->positionSamples());
    });

    auto applyFilters = [this] {
        if (m_updating)
            return;
        m_filter->setFilters(m_labelFilter->currentData().toString(),
                             m_splitFilter->currentData().toInt(), m_search->text());
        m_listCount->setText(tr("%1 of %2 shown").arg(m_filter->rowCount()).arg(
            m_model->rowCount()));
    };
    connect(m_labelFilter, &QComboBox::currentIndexChanged, this, applyFilters);
    connect(m_splitFilter, &QComboBox::currentIndexChanged, this, applyFilters);
    connect(m_search, &QLineEdit::textChanged, this, applyFilters);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                showClip(current.isValid() ? current.data(Qt::UserRole).toString() : QString());
            });
    connect(m_play, &QPushButton::clicked, this, &DatasetPage::playCurrent);
    connect(m_crop, &QPushButton::clicked, this, &DatasetPage::cropCurrent);
    connect(m_delete, &QPushButton::clicked, this, &DatasetPage::deleteCurrent);
    connect(m_relabel, &QComboBox::activated, this,
            [this](int i) { relabelCurrent(m_relabel->itemText(i)); });
    connect(m_moveSplit, &QComboBox::activated, this, [this](int i) {
        moveCurrentToSplit(static_cast<dw::Split>(m_moveSplit->itemData(i).toInt()));
    });
    connect(m_waveform, &ClipWaveform::selectionChanged, this, &DatasetPage::updateActions);
}

void DatasetPage::setProject(dw::Project* project)
{
    if (m_player && m_player->isPlaying())
        m_player->stop();
    m_project = project;
    m_currentId.clear();
    m_stack->setCurrentIndex(project ? 1 : 0);
    refresh();
}

void DatasetPage::setUndoStack(QUndoStack* stack) { m_undo = stack; }

void DatasetPage::setPlayer(ClipPlayer* player)
{
    m_player = player;
    updateActions();
}

void DatasetPage::refresh()
{
    m_updating = true;
    const QString keep = m_currentId;
    m_model->reset(m_project ? m_project->clips() : std::vector<dw::Clip>{});
    rebuildFilters();
    m_updating = false;
    m_filter->setFilters(m_labelFilter->currentData().toString(),
                         m_splitFilter->currentData().toInt(), m_search->text());
    m_listCount->setText(tr("%1 of %2 shown").arg(m_filter->rowCount()).arg(m_model->rowCount()));
    rebuildCounts();
    if (!keep.isEmpty() && m_project && m_project->findClip(keep.toStdString()))
        selectClip(keep);
    else
        showClip({});
}

void DatasetPage::rebuildFilters()
{
    const QString label = m_labelFilter->currentData().toString();
    m_labelFilter->clear();
    m_labelFilter->addItem(tr("All labels"), QString());
    m_relabel->clear();
    if (m_project)
        for (const auto& l : m_project->labels()) {
            m_labelFilter->addItem(qs(l), qs(l));
            m_relabel->addItem(qs(l));
        }
    m_labelFilter->setCurrentIndex(std::max(0, m_labelFilter->findData(label)));
}

void DatasetPage::rebuildCounts()
{
    std::vector<std::string> labels;
    std::map<std::string, std::array<int, 3>> counts;
    if (m_project) {
        labels = m_project->labels();
        counts = m_project->counts();
    }
    m_chart->setCounts(labels, counts);
    const auto& warn = m_chart->imbalanced();
    const double median = medianTotal(labels, counts);
    std::array<int, 3> sum{};
    int total = 0;
    for (const auto& l : labels)
        for (int s = 0; s < 3; ++s) {
            sum[size_t(s)] += counts[l][size_t(s)];
            total += counts[l][size_t(s)];
        }
    m_countsTable->setRowCount(int(labels.size()) + 1);
    QStringList rows;
    auto setRow = [this](int r, const std::array<int, 3>& c, int total, bool bold,
                         const QColor& colour, const QString& tip) {
        const int rowTotal = c[0] + c[1] + c[2];
        const QStringList cells = {
            QString::number(c[0]), QString::number(c[1]), QString::number(c[2]),
            QString::number(rowTotal),
            total ? QString::number(100.0 * rowTotal / total, 'f', 1) + " %" : QString("-")};
        for (int col = 0; col < 5; ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (bold) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
            if (colour.isValid())
                item->setForeground(colour);
            if (!tip.isEmpty())
                item->setToolTip(tip);
            m_countsTable->setItem(r, col, item);
        }
    };
    for (size_t i = 0; i < labels.size(); ++i) {
        const auto& l = labels[i];
        const bool imbalanced = std::find(warn.begin(), warn.end(), l) != warn.end();
        const QString tip =
            imbalanced ? tr("'%1' has under %2% of the median label's %3 clips: record or "
                            "import more, or the model will rarely predict it")
                             .arg(qs(l))
                             .arg(int(kImbalanceRatio * 100))
                             .arg(median)
                       : QString();
        auto* head = new QTableWidgetItem((imbalanced ? QString("\u26a0 ") : QString()) + qs(l));
        if (imbalanced) {
            head->setForeground(warningColor().darker(120));
            head->setToolTip(tip);
        }
        m_countsTable->setVerticalHeaderItem(int(i), head);
        setRow(int(i), counts[l], total, false,
               imbalanced ? warningColor().darker(120) : QColor(), tip);
    }
    m_countsTable->setVerticalHeaderItem(int(labels.size()), new QTableWidgetItem(tr("all")));
    setRow(int(labels.size()), sum, total, true, QColor(), {});

    if (!m_project) {
        m_summary->clear();
        return;
    }
    QString text = tr("%1 clips \u00b7 %2 labels \u00b7 %3").arg(total).arg(labels.size()).arg(
        QString::fromStdString(m_project->root().filename().string()));
    if (total > 0)
        text += tr(" \u00b7 split %1 / %2 / %3 %")
                    .arg(std::lround(100.0 * sum[0] / total))
                    .arg(std::lround(100.0 * sum[1] / total))
                    .arg(std::lround(100.0 * sum[2] / total));
    if (!warn.empty())
        text += tr(" \u00b7 <span style='color:#c0570e'>%n label(s) under-represented</span>",
                   nullptr, int(warn.size()));
    m_summary->setText(text);
}

void DatasetPage::setLabelFilter(const QString& label)
{
    m_labelFilter->setCurrentIndex(std::max(0, m_labelFilter->findData(label)));
}

void DatasetPage::setSplitFilter(int split)
{
    m_splitFilter->setCurrentIndex(std::max(0, m_splitFilter->findData(split)));
}

void DatasetPage::setSearchText(const QString& text) { m_search->setText(text); }

int DatasetPage::visibleClipCount() const { return m_filter->rowCount(); }

QStringList DatasetPage::visibleClipIds() const
{
    QStringList ids;
    for (int r = 0; r < m_filter->rowCount(); ++r)
        ids << m_filter->index(r, 0).data(Qt::UserRole).toString();
    return ids;
}

bool DatasetPage::selectClip(const QString& id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return false;
    QModelIndex proxy = m_filter->mapFromSource(m_model->index(row, 0));
    if (!proxy.isValid()) {
        // Hidden by the filters: show everything so the selection is visible.
        m_search->clear();
        setLabelFilter({});
        setSplitFilter(-1);
        proxy = m_filter->mapFromSource(m_model->index(row, 0));
    }
    m_list->setCurrentIndex(proxy);
    m_list->scrollTo(proxy);
    if (m_currentId != id)
        showClip(id);
    return true;
}

QString DatasetPage::currentClipId() const { return m_currentId; }

void DatasetPage::showClip(const QString& id)
{
    if (m_player && m_player->isPlaying())
        m_player->stop();
    m_currentId = id;
    m_samples.clear();
    const dw::Clip* c = m_project && !id.isEmpty() ? m_project->findClip(id.toStdString())
                                                   : nullptr;
    if (!c) {
        m_currentId.clear();
        m_clipTitle->setText(tr("No clip selected"));
        m_clipInfo->clear();
        m_waveform->clearClip();
        m_features->showMessage(tr("Select a clip to see its features"));
        updateActions();
        Q_EMIT currentClipChanged({});
        return;
    }
    m_clipTitle->setText(qs(c->id));
    m_clipInfo->setText(tr("%1 \u00b7 %2 \u00b7 %3 s \u00b7 %4")
                            .arg(qs(c->label), splitTitle(c->split))
                            .arg(c->samples / 16000.0, 0, 'f', 2)
                            .arg(qs(c->source)));
    m_updating = true;
    m_relabel->setCurrentIndex(m_relabel->findText(qs(c->label)));
    m_moveSplit->setCurrentIndex(m_moveSplit->findData(int(c->split)));
    m_updating = false;
    auto audio = dw::readWavPcm16(m_project->clipPath(*c));
    if (!audio) {
        m_waveform->clearClip(tr("Cannot read this clip"));
        m_features->showMessage(tr("Cannot read this clip"));
        Q_EMIT errorOccurred(audio.error());
    } else {
        m_samples = std::move(audio->samples);
        m_waveform->setSamples(m_samples, audio->sampleRate);
        const dw::FeatureConfig& config = m_project->featureConfig();
        // One clip takes ~0.1 ms: computing on the GUI thread keeps selection instant.
        std::vector<float> x(m_samples.begin(), m_samples.end());
        auto f = dw::computeFeatures(x, config);
        if (f)
            m_features->setFeatures(*f, config);
        else
            m_features->showMessage(QString::fromStdString(f.error().text()));
    }
    updateActions();
    Q_EMIT currentClipChanged(m_currentId);
}

void DatasetPage::updateActions()
{
    const bool has = !m_currentId.isEmpty() && !m_samples.empty();
    const bool canPlay = m_player && m_player->canPlay();
    m_play->setEnabled(has && canPlay);
    if (!m_player)
        m_play->setToolTip(tr("Playback is not available in this build"));
    else if (!canPlay)
        m_play->setToolTip(tr("Playback unavailable: %1").arg(m_player->unavailableReason()));
    else
        m_play->setToolTip(tr("Play the clip (Space)"));
    m_crop->setEnabled(has && (m_waveform->hasSelection() || int(m_samples.size()) > 16000));
    m_delete->setEnabled(!m_currentId.isEmpty());
    m_relabel->setEnabled(!m_currentId.isEmpty());
    m_moveSplit->setEnabled(!m_currentId.isEmpty());
}

void DatasetPage::onProjectEdited()
{
    refresh();
    Q_EMIT projectModified();
}

bool DatasetPage::pushResult(dw::Result<std::unique_ptr<QUndoCommand>> r)
{
    if (!r) {
        Q_EMIT errorOccurred(r.error());
        // Put the combos back to the clip's real state.
        showClip(m_currentId);
        return false;
    }
    if (m_undo)
        m_undo->push(r->release());
    return true;
}

static ClipEditTarget makeTarget(DatasetPage* page, dw::Project* project,
                                 std::function<void()> changed)
{
    ClipEditTarget t;
    t.project = project;
    t.changed = std::move(changed);
    t.failed = [page](const dw::Error& e) { Q_EMIT page->errorOccurred(e); };
    return t;
}

bool DatasetPage::relabelCurrent(const QString& label)
{
    if (m_updating || m_currentId.isEmpty())
        return false;
    return pushResult(relabelClip(makeTarget(this, m_project, [this] { onProjectEdited(); }),
                                  m_currentId.toStdString(), label.toStdString()));
}

bool DatasetPage::moveCurrentToSplit(dw::Split split)
{
    if (m_updating || m_currentId.isEmpty())
        return false;
    return pushResult(moveClipToSplit(makeTarget(this, m_project, [this] { onProjectEdited(); }),
                                      m_currentId.toStdString(), split));
}

bool DatasetPage::deleteCurrent()
{
    if (m_currentId.isEmpty())
        return false;
    // Select the next row so repeated Delete walks through the list.
    const int row = m_list->currentIndex().row();
    const QString id = m_currentId;
    const bool ok = pushResult(trashClip(makeTarget(this, m_project, [this] { onProjectEdited(); }),
                                         id.toStdString()));
    if (ok && m_filter->rowCount() > 0) {
        const QModelIndex next = m_filter->index(std::min(row, m_filter->rowCount() - 1), 0);
        m_list->setCurrentIndex(next);
    }
    if (ok)
        Q_EMIT infoMessage(tr("Moved %1 to the trash (Edit \u25b8 Undo brings it back)").arg(id));
    return ok;
}

bool DatasetPage::cropCurrent()
{
    if (m_currentId.isEmpty() || m_samples.empty())
        return false;
    const auto [b, e] = m_waveform->selection();
    std::vector<int16_t> cropped = cropToWindow(m_samples, b, e);
    if (cropped == m_samples) {
        Q_EMIT errorOccurred(dw::makeError("cropping would not change this clip",
                                           "drag on the waveform to select the part to keep"));
        return false;
    }
    const std::string oldId = m_currentId.toStdString();
    auto r = replaceClipAudio(makeTarget(this, m_project, [this] { onProjectEdited(); }), oldId,
                              cropped, "crop");
    if (!r) {
        Q_EMIT errorOccurred(r.error());
        return false;
    }
    if (m_undo)
        m_undo->push(r->release());
    // Select the cropped clip (the newest clip of the project).
    if (m_project && !m_project->clips().empty())
        selectClip(qs(m_project->clips().back().id));
    return true;
}

bool DatasetPage::playCurrent()
{
    if (m_samples.empty())
        return false;
    if (!m_player || !m_player->canPlay()) {
        Q_EMIT errorOccurred(dw::makeError(
            "playback is not available",
            m_player ? m_player->unavailableReason().toStdString()
                     : "this build has no audio output; connect an output device"));
        return false;
    }
    if (m_player->isPlaying()) {
        m_player->stop();
        return true;
    }
    const dw::Status s = m_player->play(m_samples, 16000);
    if (!s) {
        Q_EMIT errorOccurred(s.error());
        return false;
    }
    m_playTimer->start();
    return true;
}

} // namespace dw::ui
