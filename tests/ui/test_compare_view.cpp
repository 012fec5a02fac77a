// SPDX-License-Identifier: GPL-3.0-or-later
// CompareView, ConfusionMatrixView and the run report on synthetic runs.
#include "synthetic_runs.h"

#include "dw/ui/compare_view.h"
#include "dw/ui/confusion_matrix.h"
#include "dw/ui/plot_style.h"

#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

using namespace dw;
using namespace dw::ui;

class TestCompareView : public QObject
{
    Q_OBJECT
private slots:
    void differences_data();
    void differences();
    void plotsColouredByType();
    void tableAgainstReference();
    void confusionCountsAndClicks();
    void confusionProviderErrors();
    void reportIsSelfContained();
};

void TestCompareView::differences_data()
{
    QTest::addColumn<double>("refTest");
    QTest::addColumn<double>("test");
    QTest::addColumn<double>("errorReduction");
    // The paper's headline: 0.921 -> 0.958 is (0.079 - 0.042) / 0.079 = 46.8 % fewer errors.
    QTest::newRow("paper") << 0.921 << 0.958 << 46.835;
    QTest::newRow("same") << 0.9 << 0.9 << 0.0;
    QTest::newRow("worse") << 0.9 << 0.8 << -100.0;
}

void TestCompareView::differences()
{
    QFETCH(double, refTest);
    QFETCH(double, test);
    QFETCH(double, errorReduction);
    RunRecord ref = test::syntheticPlainRun("traditional", 3859, refTest, "ref");
    RunRecord run = test::syntheticPlainRun("cc", 1556, test, "run");
    QVERIFY(std::abs(errorReductionPercent(run, ref) - errorReduction) < 0.01);
    QVERIFY(std::abs(paramChangePercent(run, ref) - (1556.0 - 3859.0) / 3859.0 * 100) < 1e-9);
}

void TestCompareView::plotsColouredByType()
{
    CompareView view;
    view.setRuns({test::syntheticPlainRun("traditional", 3859, 0.92, "t1"),
                  test::syntheticPlainRun("gd", 5000, 0.93, "g1"), test::syntheticCcRun("c1")});
    QCOMPARE(view.curvesPlot()->graphCount(), 3);
    QCOMPARE(view.curvesPlot()->graph(0)->pen().color(), modelTypeColor("traditional"));
    QCOMPARE(view.curvesPlot()->graph(2)->pen().color(), modelTypeColor("cc"));
    QCOMPARE(view.scatterPlot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
    int points = 0;
    for (int i = 0; i < view.scatterPlot()->graphCount(); ++i) {
        QCPGraph* g = view.scatterPlot()->graph(i);
        points += g->dataCount();
        if (g->name() == "gd") {
            QCOMPARE(g->dataCount(), 1);
            QCOMPARE(g->scatterStyle().pen().color(), modelTypeColor("gd"));
        }
    }
    QCOMPARE(points, 3);
}

void TestCompareView::tableAgainstReference()
{
    CompareView view;
    // The traditional run becomes the default reference even when it is not first.
    view.setRuns({test::syntheticPlainRun("cc", 2000, 0.95, "c"),
                  test::syntheticPlainRun("traditional", 4000, 0.90, "t")});
    QCOMPARE(view.reference(), 1);
    QTableWidget* t = view.differencesTable();
    QCOMPARE(t->rowCount(), 2);
    QCOMPARE(t->item(0, 6)->text(), QString("-50.0 %"));
    QCOMPARE(t->item(0, 7)->text(), QString("+50.0 %"));
    QCOMPARE(t->item(1, 7)->text(), QString("-"));
    view.setReference(0);
    QCOMPARE(t->item(1, 6)->text(), QString("+100.0 %"));
    QCOMPARE(t->item(1, 7)->text(), QString("-100.0 %"));
}

void TestCompareView::confusionCountsAndClicks()
{
    ConfusionData d;
    d.labels = {"yes", "no"};
    d.truth = {0, 0, 0, 1, 1};
    d.predicted = {0, 1, 0, 1, 0};
    d.clipIds = {"y1", "y2", "y3", "n1", "n2"};
    QCOMPARE(d.counts()[0][1], 1);
    QCOMPARE(d.accuracy(), 0.6);
    ConfusionMatrixView view;
    std::vector<std::string> played;
    view.setPlayCallback([&](const std::string& id) { played.push_back(id); });
    view.setData(d, "run");
    QCOMPARE(view.table()->item(0, 0)->text(), QString("2"));
    // Clicking a cell lists its clips; playing calls the app's callback.
    QSignalSpy spy(&view, &ConfusionMatrixView::clipsListed);
    view.resize(700, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QRect cell = view.table()->visualItemRect(view.table()->item(0, 1));
    QTest::mouseClick(view.table()->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(view.listedClips(), QStringList({"y2"}));
    QVERIFY(view.playListed(0));
    QCOMPARE(played, std::vector<std::string>({"y2"}));
    QVERIFY(!view.playListed(5));
    QVERIFY(confusionHtml(d).contains("<td"));
}

void TestCompareView::confusionProviderErrors()
{
    CompareView view;
    view.setRuns({test::syntheticCcRun()});
    QVERIFY(!view.showConfusion(0).ok()); // no provider
    view.setConfusionProvider(
        [](const RunRecord&) -> Result<ConfusionData> { return makeError("no test clips", "x"); });
    Status s = view.showConfusion(0);
    QVERIFY(!s.ok());
    QCOMPARE(QString::fromStdString(s.error().message), QString("no test clips"));
    QVERIFY(!view.showConfusion(7).ok());
}

void TestCompareView::reportIsSelfContained()
{
    QTemporaryDir dir;
    ConfusionData d;
    d.labels = {"a", "b"};
    d.truth = {0, 1};
    d.predicted = {0, 1};
    d.clipIds = {"a1", "b1"};
    const QString file = dir.filePath("report.html");
    QVERIFY(writeRunReport(test::syntheticCcRun(), &d, file.toStdString()).ok());
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString html = QString::fromUtf8(f.readAll());
    QVERIFY(html.contains("data:image/png;base64,"));
    QVERIFY(html.contains("n_patience"));
    QVERIFY(html.contains("Confusion matrix"));
}

QTEST_MAIN(TestCompareView)
#include "test_compare_view.moc"
