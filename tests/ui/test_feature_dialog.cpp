// SPDX-License-Identifier: GPL-3.0-or-later
// FeatureDialog / FeatureEditor: every Edge Impulse parameter is present, bad values are refused
// with the reason from FeatureConfig::validate shown inline, the preview follows the values.
#include "ui_fixture.h"

#include "dw/ui/feature_dialog.h"
#include "dw/ui/feature_image.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QtTest/QtTest>

using namespace dw;

namespace {
void setField(ui::FeatureEditor* e, const QString& name, double v)
{
    QWidget* w = e->field(name);
    QVERIFY2(w, qPrintable("no field " + name));
    if (auto* s = qobject_cast<QSpinBox*>(w))
        s->setValue(int(v));
    else if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
        d->setValue(v);
    else
        QFAIL(qPrintable("field " + name + " is not numeric"));
}
} // namespace

class TestFeatureDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyParameterHasAFieldWithTooltip()
    {
        ui::FeatureEditor editor;
        for (const char* name : {"num_cepstral", "frame_length", "frame_stride", "num_filters",
                                 "fft_length", "win_size", "low_frequency", "high_frequency",
                                 "pre_cof"}) {
            QWidget* w = editor.field(name);
            QVERIFY2(w, name);
            QVERIFY2(w->toolTip().contains(name), name);
        }
    }

    void roundTrip()
    {
        FeatureConfig c;
        c.num_cepstral = 10;
        c.frame_length = 0.025;
        c.frame_stride = 0.01;
        c.num_filters = 40;
        c.fft_length = 512;
        c.win_size = 0;
        c.low_frequency = 300;
        c.high_frequency = 7000;
        c.pre_cof = 0.9;
        c.window = "hann";
        ui::FeatureEditor editor;
        editor.setConfig(c);
        QCOMPARE(editor.config().toJson(), c.toJson());
    }

    void defaultsAreValid()
    {
        ui::FeatureDialog dialog(FeatureConfig{});
        QVERIFY(dialog.canAccept());
        QVERIFY(dialog.panel()->errorText().isEmpty());
        auto* save = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
        QVERIFY(save->isEnabled());
    }

    void badValueRefusedWithReason_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<double>("value");
        QTest::addRow("fft_length not a power of two") << "fft_length" << 300.0;
        QTest::addRow("one filter") << "num_filters" << 1.0;
        QTest::addRow("frame longer than the clip") << "frame_length" << 1.5;
        QTest::addRow("too many frames") << "frame_stride" << 0.001;
        QTest::addRow("even normalisation window") << "win_size" << 100.0;
        QTest::addRow("more coefficients than filters") << "num_cepstral" << 40.0;
    }
    void badValueRefusedWithReason()
    {
        QFETCH(QString, field);
        QFETCH(double, value);
        ui::FeatureDialog dialog(FeatureConfig{});
        dialog.setPreviewSamples(test::tone(440));
        QVERIFY(dialog.panel()->preview()->hasImage());
        setField(dialog.panel()->editor(), field, value);
        // The same reason the core validator gives is shown inline.
        const Status s = dialog.config().validate(16000);
        QVERIFY2(!s.ok(), "the core validator should refuse this value");
        QCOMPARE(dialog.panel()->errorText(), QString::fromStdString(s.error().text()));
        auto* error = dialog.findChild<QLabel*>("featureError");
        QVERIFY(error && !error->isHidden());
        QVERIFY(!dialog.canAccept());
        auto* save = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
        QVERIFY(!save->isEnabled());
        dialog.accept(); // refused: the dialog stays open
        QVERIFY(dialog.result() != QDialog::Accepted);
        QVERIFY(!dialog.panel()->preview()->hasImage());
        // Fixing it brings the preview back.
        dialog.panel()->editor()->setConfig(FeatureConfig{});
        QVERIFY(dialog.canAccept());
        QVERIFY(dialog.panel()->preview()->hasImage());
    }

    void previewFollowsValues()
    {
        ui::FeatureDialog dialog(FeatureConfig{});
        dialog.setPreviewSamples(test::tone(440));
        QCOMPARE(dialog.panel()->preview()->frames(), 50);
        QCOMPARE(dialog.panel()->preview()->coeffs(), 13);
        setField(dialog.panel()->editor(), "num_cepstral", 20);
        QCOMPARE(dialog.panel()->preview()->coeffs(), 20);
        setField(dialog.panel()->editor(), "frame_stride", 0.01);
        QCOMPARE(dialog.panel()->preview()->frames(), 99);
        // MFE shows one row per filter.
        auto* kind = qobject_cast<QComboBox*>(dialog.panel()->editor()->field("kind"));
        kind->setCurrentIndex(kind->findData("mfe"));
        QCOMPARE(dialog.panel()->preview()->coeffs(), 32);
    }

    void fftLengthStepsByPowersOfTwo()
    {
        ui::FeatureEditor editor;
        auto* fft = qobject_cast<QSpinBox*>(editor.field("fft_length"));
        QVERIFY(fft);
        fft->stepUp();
        QCOMPARE(fft->value(), 512);
        fft->stepDown();
        fft->stepDown();
        QCOMPARE(fft->value(), 128);
    }
};

QTEST_MAIN(TestFeatureDialog)
#include "test_feature_dialog.moc"
