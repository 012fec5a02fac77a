// SPDX-License-Identifier: GPL-3.0-or-later
// DatasetPage: counts, imbalance, filters, and undoable relabel / move / delete / crop through
// the shared QUndoStack, checked against the project on disk.
#include "ui_fixture.h"

#include "dw/ui/class_counts_chart.h"
#include "dw/ui/clip_commands.h"
#include "dw/ui/clip_waveform.h"
#include "dw/ui/dataset_page.h"
#include "dw/ui/feature_image.h"

#include <QSignalSpy>
#include <QTableWidget>
#include <QUndoStack>
#include <QtTest/QtTest>

#include <filesystem>

using namespace dw;

class TestDatasetPage : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::ProjectFixture> fixture;
    std::unique_ptr<ui::DatasetPage> page;
    std::unique_ptr<QUndoStack> undo;

    int tableTotal(const QString& label)
    {
        auto* t = page->countsTable();
        for (int r = 0; r < t->rowCount(); ++r)
            if (t->verticalHeaderItem(r)->text().endsWith(label))
                return t->item(r, 3)->text().toInt();
        return -1;
    }

private Q_SLOTS:
    void init()
    {
        fixture = std::make_unique<test::ProjectFixture>();
        QVERIFY(fixture->make());
        undo = std::make_unique<QUndoStack>();
        page = std::make_unique<ui::DatasetPage>();
        page->setUndoStack(undo.get());
        page->setProject(fixture->project.get());
        page->resize(1200, 800);
    }
    void cleanup()
    {
        undo->clear();
        page.reset();
        undo.reset();
        fixture.reset();
    }

    void countsAndImbalance()
    {
        QCOMPARE(tableTotal("yes"), 6);
        QCOMPARE(tableTotal("no"), 6);
        QCOMPARE(tableTotal("noise"), 2);
        QCOMPARE(tableTotal("all"), 14);
        QCOMPARE(page->chart()->imbalanced(), std::vector<std::string>{"noise"});
        // The imbalanced row says why in its tooltip.
        auto* t = page->countsTable();
        QVERIFY(t->verticalHeaderItem(2)->toolTip().contains("median"));
        QVERIFY(page->chart()->tooltipAt(2.0).contains("median"));
        QVERIFY(!page->chart()->tooltipAt(0.0).contains("median"));
    }

    void filters_data()
    {
        QTest::addColumn<QString>("label");
        QTest::addColumn<int>("split");
        QTest::addColumn<QString>("search");
        QTest::addRow("all") << QString() << -1 << QString();
        QTest::addRow("label yes") << "yes" << -1 << QString();
        QTest::addRow("label noise") << "noise" << -1 << QString();
        QTest::addRow("train only") << QString() << 0 << QString();
        QTest::addRow("yes + train") << "yes" << 0 << QString();
        QTest::addRow("search 'noise'") << QString() << -1 << "noise";
        QTest::addRow("search nothing") << QString() << -1 << "zzz-no-match";
    }
    void filters()
    {
        QFETCH(QString, label);
        QFETCH(int, split);
        QFETCH(QString, search);
        page->setLabelFilter(label);
        page->setSplitFilter(split);
        page->setSearchText(search);
        int expected = 0;
        for (const auto& c : fixture->project->clips()) {
            const bool ok = (label.isEmpty() || c.label == label.toStdString())
                            && (split < 0 || int(c.split) == split)
                            && (search.isEmpty()
                                || QString::fromStdString(c.id + " " + c.label + " " + c.source)
                                       .contains(search, Qt::CaseInsensitive));
            expected += ok;
        }
        QCOMPARE(page->visibleClipCount(), expected);
        for (const QString& id : page->visibleClipIds()) {
            const Clip* c = fixture->project->findClip(id.toStdString());
            QVERIFY(c);
            if (!label.isEmpty())
                QCOMPARE(QString::fromStdString(c->label), label);
        }
    }

    void selectShowsWaveformAndFeatures()
    {
        const QString id = page->visibleClipIds().front();
        QVERIFY(page->selectClip(id));
        QCOMPARE(page->currentClipId(), id);
        QCOMPARE(page->waveform()->sampleCount(), 16000);
        QVERIFY(page->featureImage()->hasImage());
        QCOMPARE(page->featureImage()->frames(), 50);
        QCOMPARE(page->featureImage()->coeffs(), 13);
    }

    void relabelAndUndo()
    {
        const std::string id = fixture->project->clips("yes").front()->id;
        QVERIFY(page->selectClip(QString::fromStdString(id)));
        QVERIFY(page->relabelCurrent("no"));
        QCOMPARE(fixture->project->findClip(id)->label, std::string("no"));
        QCOMPARE(tableTotal("yes"), 5);
        QCOMPARE(tableTotal("no"), 7);
        QVERIFY(std::filesystem::exists(fixture->project->clipPath(*fixture->project->findClip(id))));
        QCOMPARE(undo->count(), 1);
        undo->undo();
        QCOMPARE(fixture->project->findClip(id)->label, std::string("yes"));
        QCOMPARE(tableTotal("yes"), 6);
        QVERIFY(std::filesystem::exists(fixture->project->clipPath(*fixture->project->findClip(id))));
        // The manifest on disk agrees.
        auto reopened = Project::open(fixture->root.toStdString());
        QVERIFY(reopened);
        QCOMPARE(reopened->findClip(id)->label, std::string("yes"));
        undo->redo();
        QCOMPARE(fixture->project->findClip(id)->label, std::string("no"));
    }

    void relabelToSameLabelIsRefused()
    {
        const std::string id = fixture->project->clips("yes").front()->id;
        QVERIFY(page->selectClip(QString::fromStdString(id)));
        QSignalSpy errors(page.get(), &ui::DatasetPage::errorOccurred);
        QVERIFY(!page->relabelCurrent("yes"));
        QCOMPARE(errors.count(), 1);
        const auto e = errors.front().front().value<dw::Error>();
        QVERIFY(!e.message.empty());
        QVERIFY(!e.hint.empty());
        QCOMPARE(undo->count(), 0);
    }

    void moveSplitAndUndo()
    {
        const Clip first = fixture->project->clips().front();
        const Split target = first.split == Split::Test ? Split::Train : Split::Test;
        QVERIFY(page->selectClip(QString::fromStdString(first.id)));
        QVERIFY(page->moveCurrentToSplit(target));
        QCOMPARE(fixture->project->findClip(first.id)->split, target);
        undo->undo();
        QCOMPARE(fixture->project->findClip(first.id)->split, first.split);
    }

    void deleteAndUndo()
    {
        const Clip clip = *fixture->project->clips("no").back();
        const auto path = fixture->project->clipPath(clip);
        QVERIFY(std::filesystem::exists(path));
        QVERIFY(page->selectClip(QString::fromStdString(clip.id)));
        QVERIFY(page->deleteCurrent());
        QVERIFY(!fixture->project->findClip(clip.id));
        QVERIFY(!std::filesystem::exists(path));
        QVERIFY(!page->visibleClipIds().contains(QString::fromStdString(clip.id)));
        QCOMPARE(tableTotal("no"), 5);
        undo->undo();
        const Clip* back = fixture->project->findClip(clip.id);
        QVERIFY(back);
        QVERIFY(std::filesystem::exists(fixture->project->clipPath(*back)));
        QCOMPARE(back->label, clip.label);
        QCOMPARE(back->split, clip.split);
        QVERIFY(page->visibleClipIds().contains(QString::fromStdString(clip.id)));
        QCOMPARE(tableTotal("no"), 6);
        auto audio = readWavPcm16(fixture->project->clipPath(*back));
        QVERIFY(audio);
        QCOMPARE(int(audio->samples.size()), 16000);
    }

    void cropLongClipAndUndo()
    {
        auto added = fixture->project->addClip("yes", test::tone(500, 24000), "synthetic", "long");
        QVERIFY(added);
        const Clip longClip = *added;
        page->refresh();
        QVERIFY(page->selectClip(QString::fromStdString(longClip.id)));
        page->waveform()->setSelection(12000, 20000);
        QVERIFY(page->cropCurrent());
        QVERIFY(!fixture->project->findClip(longClip.id));
        const Clip& cropped = fixture->project->clips().back();
        QCOMPARE(cropped.label, std::string("yes"));
        QCOMPARE(cropped.split, longClip.split);
        auto audio = readWavPcm16(fixture->project->clipPath(cropped));
        QVERIFY(audio);
        QCOMPARE(int(audio->samples.size()), 16000);
        const std::string croppedId = cropped.id;
        undo->undo();
        QVERIFY(fixture->project->findClip(longClip.id));
        QVERIFY(!fixture->project->findClip(croppedId));
        QCOMPARE(readWavPcm16(fixture->project->clipPath(*fixture->project->findClip(longClip.id)))
                     ->samples.size(),
                 size_t(24000));
        undo->redo();
        QVERIFY(!fixture->project->findClip(longClip.id));
        QVERIFY(fixture->project->findClip(croppedId));
    }

    void cropToWindow_data()
    {
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("begin");
        QTest::addColumn<int>("end");
        QTest::addColumn<int>("expectFirst"); // index in the input of the output's first sample
        QTest::addColumn<int>("expectLength");
        QTest::addRow("long, centred selection") << 32000 << 12000 << 20000 << 8000 << 16000;
        QTest::addRow("long, selection at start") << 32000 << 0 << 2000 << 0 << 16000;
        QTest::addRow("long, selection at end") << 32000 << 30000 << 32000 << 16000 << 16000;
        QTest::addRow("1 s, selection kept") << 16000 << 4000 << 8000 << 0 << 16000;
        QTest::addRow("short, no selection") << 8000 << 0 << 0 << 0 << 8000;
    }
    void cropToWindow()
    {
        QFETCH(int, length);
        QFETCH(int, begin);
        QFETCH(int, end);
        QFETCH(int, expectFirst);
        QFETCH(int, expectLength);
        std::vector<int16_t> in(static_cast<size_t>(length));
        for (int i = 0; i < length; ++i)
            in[size_t(i)] = int16_t(i % 30000 + 1);
        const auto out = ui::cropToWindow(in, begin, end);
        QCOMPARE(int(out.size()), expectLength);
        if (length > 16000) {
            QCOMPARE(out.front(), in[size_t(expectFirst)]);
        } else if (end > begin) {
            QCOMPARE(out[size_t(begin)], in[size_t(begin)]);
            QCOMPARE(out[size_t(end - 1)], in[size_t(end - 1)]);
            QCOMPARE(out[size_t(end)], int16_t(0));
            if (begin > 0)
                QCOMPARE(out[size_t(begin - 1)], int16_t(0));
        }
    }

    void loudestWindowWithoutSelection()
    {
        std::vector<int16_t> in(40000, 0);
        for (int i = 30000; i < 31000; ++i)
            in[size_t(i)] = 10000;
        const auto out = ui::cropToWindow(in, 0, 0);
        QCOMPARE(int(out.size()), 16000);
        int loud = 0;
        for (auto v : out)
            loud += v != 0;
        QCOMPARE(loud, 1000);
    }

    void findImbalanced_data()
    {
        QTest::addColumn<QList<int>>("totals");
        QTest::addColumn<QList<int>>("flagged");
        QTest::addRow("balanced") << QList<int>{10, 10, 10} << QList<int>{};
        QTest::addRow("one small") << QList<int>{10, 10, 4} << QList<int>{2};
        QTest::addRow("exactly half") << QList<int>{10, 10, 5} << QList<int>{};
        QTest::addRow("empty label") << QList<int>{10, 0, 12, 9} << QList<int>{1};
        QTest::addRow("all empty") << QList<int>{0, 0} << QList<int>{};
    }
    void findImbalanced()
    {
        QFETCH(QList<int>, totals);
        QFETCH(QList<int>, flagged);
        std::vector<std::string> labels;
        std::map<std::string, std::array<int, 3>> counts;
        for (int i = 0; i < totals.size(); ++i) {
            labels.push_back(QStringLiteral("l%1").arg(i).toStdString());
            counts[labels.back()] = {totals[i], 0, 0};
        }
        std::vector<std::string> expected;
        for (int i : flagged)
            expected.push_back(labels[size_t(i)]);
        QCOMPARE(ui::findImbalanced(labels, counts), expected);
    }

    void noProjectShowsEmptyState()
    {
        page->setProject(nullptr);
        QCOMPARE(page->visibleClipCount(), 0);
        QVERIFY(!page->deleteCurrent());
    }
};

QTEST_MAIN(TestDatasetPage)
#include "test_dataset_page.moc"
