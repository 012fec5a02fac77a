// SPDX-License-Identifier: GPL-3.0-or-later
// Cortex-M4 build of exported models (issue 8, "the Cortex-M4 compile of an exported Edge Impulse
// baseline and of a cc model succeeds in CI"): the Edge Impulse 1-D baseline (no dendrites) and
// a cc network with one dendrite per wrapped layer, float32 and int8, go through the exporter's
// own path (graph from the LibTorch network, int8 calibration, model.h, the embedded runtime
// sources) and are compiled with arm-none-eabi-gcc for a Cortex-M4F by exporter::measureArm,
// which also reads the section sizes. Untrained networks with random weights keep it fast; the
// sizes depend on the architecture, not on the weight values.
#include "dw/core/atomic_file.h"
#include "export_torch.h"
#include "trainer.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>
#include <random>

using namespace dw;

namespace {

constexpr int kFrames = 50, kCoeffs = 13, kClasses = 12;

// A minimal board entry (no stdio): start-up self-check, features, network, argmax.
constexpr const char* kEntry = R"(// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw_nn.h"
#include "model.h"
static float scratch[(DW_MODEL_SCRATCH_BYTES + 3) / 4];
static float features[DW_MODEL_INPUT_SIZE];
float probs[DW_MODEL_OUTPUT_SIZE];
int16_t audio[DW_MODEL_WINDOW_SAMPLES];
volatile int result;
int main(void)
{
    int i, best = 0;
    if (dw_model_run(&dw_model_graph, scratch, dw_model_test_input, probs) != 0)
        return 1;
    if (dw_model_features(audio, DW_MODEL_WINDOW_SAMPLES, features) != 0 ||
        dw_model_run(&dw_model_graph, scratch, features, probs) != 0)
        return 2;
    for (i = 1; i < DW_MODEL_OUTPUT_SIZE; ++i)
        if (probs[i] > probs[best])
            best = i;
    result = best;
    for (;;) {
    }
}
)";

// n calibration inputs of MFCC-like scale, [n][frames * coeffs].
std::vector<float> calibrationInputs(int n)
{
    std::mt19937 rng{5u};
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> x(size_t(n) * kFrames * kCoeffs);
    std::generate(x.begin(), x.end(), [&] { return nd(rng); });
    return x;
}

} // namespace

class TestBoardArm : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void compilesForCortexM4_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("dendrites");
        QTest::addColumn<bool>("int8");
        QTest::newRow("ei-baseline-float") << "traditional" << 0 << false;
        QTest::newRow("ei-baseline-int8") << "traditional" << 0 << true;
        QTest::newRow("cc-1-dendrite-float") << "cc" << 1 << false;
        QTest::newRow("cc-1-dendrite-int8") << "cc" << 1 << true;
    }

    void compilesForCortexM4()
    {
        QFETCH(QString, mode);
        QFETCH(int, dendrites);
        QFETCH(bool, int8);
        if (QStandardPaths::findExecutable("arm-none-eabi-gcc").isEmpty())
            QFAIL("arm-none-eabi-gcc is not installed: apt-get install gcc-arm-none-eabi "
                  "libnewlib-arm-none-eabi (./run.sh test installs it)");

        TrainConfig cfg; // ei1d, the Edge Impulse default network
        cfg.mode = mode.toStdString();
        auto spec = engine::specFor(cfg, kFrames, kCoeffs, kClasses);
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().text().c_str());
        torch::manual_seed(3);
        engine::Network net = engine::buildNetwork(*spec, cfg);
        for (int i = 0; i < dendrites; ++i)
            net->addDendrites();
        net->eval();
        std::vector<std::string> labels;
        for (int c = 0; c < kClasses; ++c)
            labels.push_back("class" + std::to_string(c));
        auto g = exporter::graphFromNetwork(*net, labels);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().text().c_str());
        int combines = 0;
        for (const auto& n : g->nodes)
            combines += n.op == DW_OP_DENDRITE;
        QCOMPARE(combines > 0, dendrites > 0);

        const auto x = calibrationInputs(16);
        exporter::Graph qg;
        exporter::Graph* eg = &*g;
        if (int8) {
            std::vector<std::span<const float>> cal;
            for (int i = 0; i < 16; ++i)
                cal.emplace_back(x.data() + size_t(i) * kFrames * kCoeffs, size_t(kFrames * kCoeffs));
            QVERIFY(exporter::calibrate(*g, cal).ok());
            auto q = exporter::quantize(*g);
            QVERIFY2(q.ok(), q.ok() ? "" : q.error().text().c_str());
            qg = std::move(*q);
            eg = &qg;
        }
        exporter::HeaderInfo info;
        info.runName = "board-test";
        info.format = int8 ? "c-int8" : "c";
        info.testInput.assign(x.begin(), x.begin() + kFrames * kCoeffs);
        info.testExpected.assign(size_t(kClasses), 0.0f);
        exporter::RuntimeModel rm(*eg);
        QVERIFY(rm.run(info.testInput, info.testExpected).ok());
        info.testTolerance = int8 ? 2e-2f : 1e-4f;

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::filesystem::path dir = tmp.path().toStdString();
        QVERIFY(writeFileAtomic(dir / "model.h", exporter::emitModelHeader(*eg, info)).ok());
        std::vector<std::string> sources{"board_entry.c"};
        QVERIFY(writeFileAtomic(dir / "board_entry.c", kEntry).ok());
        for (const auto& [name, text] : exporter::embeddedFiles()) {
            QVERIFY(writeFileAtomic(dir / name, text).ok());
            if (name.size() > 2 && name.substr(name.size() - 2) == ".c" && name != "main.c")
                sources.push_back(name);
        }
        QVERIFY(sources.size() >= 3); // the entry, dw_nn.c, dw_mfcc.c

        BoardReport r;
        exporter::measureArm(dir, sources, r);
        QVERIFY2(r.armMeasured, r.armNote.c_str());
        // Flash holds every const array of the header; RAM (bss) the scratch buffer.
        QVERIFY2(r.armText + r.armData >= eg->constBytes(),
                 qPrintable(QString("text+data %1 < weights %2")
                                .arg(r.armText + r.armData)
                                .arg(eg->constBytes())));
        QVERIFY(r.armBss >= eg->scratchBytes);
        // Well inside a Cortex-M4 part: 256 kB flash, 64 kB RAM (the 12-class EI network is
        // about 3 k parameters; an export that grew past this would be a regression).
        QVERIFY2(r.armText + r.armData < 256 * 1024, qPrintable(QString::number(r.armText)));
        QVERIFY2(r.armData + r.armBss < 64 * 1024, qPrintable(QString::number(r.armBss)));
        qInfo("%s: text %lld data %lld bss %lld (weights %lld B, scratch %d B)",
              QTest::currentDataTag(), r.armText, r.armData, r.armBss, eg->constBytes(),
              eg->scratchBytes);
    }
};

QTEST_GUILESS_MAIN(TestBoardArm)
#include "test_board_arm_torch.moc"
