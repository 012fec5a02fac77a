// SPDX-License-Identifier: GPL-3.0-or-later
// The exporter against LibTorch: float export equals the network within 1e-4 on probabilities
// (traditional, gd, cc; K = 0, 1, 3; conv1d, conv2d, linear), int8 argmax agreement, the
// exported folder compiles with `cc -std=c99 -O2 *.c -lm` and its host example checks itself,
// ONNX passes onnx.checker when Debian's python3-onnx is there, and bad input gives clear errors.
#include "dw/core/atomic_file.h"
#include "dw/core/export.h"
#include "dw/core/features.h"
#include "dw/core/project.h"
#include "export_torch.h"
#include "run_process.h"
#include "trainer.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <random>

using namespace dw;

namespace {

constexpr int kFrames = 50, kCoeffs = 13, kClasses = 3;

void randomise(engine::NetworkImpl& net, double scale, int seed)
{
    torch::NoGradGuard ng;
    torch::manual_seed(uint64_t(seed));
    for (auto& p : net.parameters())
        p.normal_(0.0, 1.0).mul_(scale);
}

std::vector<float> randomInputs(int n, int seed)
{
    std::mt19937 rng{uint32_t(seed)};
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> x(size_t(n) * kFrames * kCoeffs);
    for (auto& v : x)
        v = nd(rng);
    return x;
}

engine::Network makeNet(const QString& kind, const QString& mode, const QString& act, int k)
{
    TrainConfig cfg;
    cfg.mode = mode.toStdString();
    cfg.dendrite_activation = act.toStdString();
    cfg.perforate = "all";
    if (kind == "conv2d") {
        cfg.model = "ei2d";
    } else if (kind == "block") {
        // The paper block's family: three floor-pooled Conv2d blocks (50 x 13 -> 6 x 1), two
        // Linear layers with dropout before each.
        cfg.model = "block";
        cfg.conv_layers = 3;
        cfg.linear_layers = 2;
        cfg.width = 0.5;
        cfg.dropout = 0.1;
    } else if (kind == "linear") {
        cfg.perforate = "linear"; // dendrites on the Linear layer only (the paper's default)
    }
    auto spec = engine::specFor(cfg, kFrames, kCoeffs, kClasses);
    if (!spec)
        qFatal("%s", spec.error().text().c_str());
    engine::Network net = engine::buildNetwork(*spec, cfg);
    for (int i = 0; i < k; ++i)
        net->addDendrites();
    return net;
}

// Three classes of "features": a class-specific pattern plus noise.
FeatureDataset syntheticData(int perClass, int seed)
{
    FeatureDataset d;
    d.frames = kFrames;
    d.coeffs = kCoeffs;
    d.labels = {"noise", "yes", "no"};
    std::mt19937 rng{uint32_t(seed)};
    std::normal_distribution<float> nd(0.0f, 1.0f);
    const int F = kFrames * kCoeffs;
    for (int i = 0; i < perClass * kClasses; ++i) {
        const int c = i % kClasses;
        for (int f = 0; f < F; ++f) {
            const int t = f / kCoeffs, q = f % kCoeffs;
            float v = nd(rng) * 0.8f;
            if (c == 1)
                v += 1.2f * std::sin(0.3f * float(t)) * (q < 6 ? 1.0f : -0.5f);
            if (c == 2)
                v += (t > 20 && t < 35) ? 1.5f * (q % 2 ? 1.0f : -1.0f) : 0.0f;
            d.x.push_back(v);
        }
        d.y.push_back(c);
        const int r = i % 10;
        d.split.push_back(r < 7 ? Split::Train : r < 8 ? Split::Validation : Split::Test);
        d.clipIds.push_back("clip_" + std::to_string(i));
    }
    return d;
}

using Proc = dw::test::ProcessResult;

Proc runProc(const QString& program, const QStringList& args, const QString& dir,
             int timeoutMs = 120000)
{
    dw::test::ProcessOptions o;
    o.timeoutMs = timeoutMs;
    o.workingDirectory = dir;
    return dw::test::runProcess(program, args, o);
}

bool writeWav(const QString& path, int rate, int samples, int seed)
{
    Audio a;
    a.sampleRate = rate;
    std::mt19937 rng{uint32_t(seed)};
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (int i = 0; i < samples; ++i)
        a.samples.push_back(int16_t(std::lround(3000.0 * std::sin(2 * M_PI * 440.0 * i / rate) *
                                                    (i > samples / 3 ? 1.0 : 0.2) +
                                                200.0 * nd(rng))));
    return bool(writeWavPcm16(path.toStdString(), a));
}

} // namespace

class TestExportTorch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void floatExportMatchesTorch_data();
    void floatExportMatchesTorch();
    void int8ArgmaxAgreesWithFloat();
    void onnxPassesChecker();
    void onnxRuntimeAgreesWithLibTorch_data();
    void onnxRuntimeAgreesWithLibTorch();
    void exportedFolderBuildsAndChecksItself();
    void verifyReportsAgreement();
    void runWithoutCheckpointIsRefused();
    void unsupportedLayerIsRefused();
    void cleanupTestCase();

private:
    QTemporaryDir m_tmp;
    std::filesystem::path m_run;
    FeatureDataset m_data;
    bool m_trained = false;
};

void TestExportTorch::initTestCase()
{
    torch::set_num_threads(1);
    QVERIFY(m_tmp.isValid());
}

void TestExportTorch::floatExportMatchesTorch_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("act");
    QTest::addColumn<int>("k");
    for (QString kind : {"conv1d", "conv2d", "block", "linear"}) {
        QTest::addRow("%s traditional K=0", qPrintable(kind)) << kind << "traditional"
                                                              << "sigmoid" << 0;
        QTest::addRow("%s gd K=1 tanh", qPrintable(kind)) << kind << "gd"
                                                          << "tanh" << 1;
        QTest::addRow("%s gd K=3 sigmoid", qPrintable(kind)) << kind << "gd"
                                                             << "sigmoid" << 3;
        QTest::addRow("%s cc K=1 sigmoid", qPrintable(kind)) << kind << "cc"
                                                             << "sigmoid" << 1;
        QTest::addRow("%s cc K=3 relu", qPrintable(kind)) << kind << "cc"
                                                          << "relu" << 3;
    }
}

void TestExportTorch::floatExportMatchesTorch()
{
    QFETCH(QString, kind);
    QFETCH(QString, mode);
    QFETCH(QString, act);
    QFETCH(int, k);
    auto net = makeNet(kind, mode, act, k);
    // Random Wtop/Wdd too (new dendrites start at 0), so every branch shapes the output.
    randomise(*net, 0.3, 11 + k);
    net->eval();
    auto g = exporter::graphFromNetwork(*net, {"a", "b", "c"});
    QVERIFY2(g.ok(), g.ok() ? "" : g.error().text().c_str());
    int combines = 0;
    for (const auto& n : g->nodes)
        combines += n.op == DW_OP_DENDRITE;
    QCOMPARE(combines, k == 0 ? 0 : int(net->wrapped().size()));
    // The clean parameter count of the engine equals the count of the exported tensors.
    QCOMPARE(g->paramCount(), net->cleanParams());

    const int n = 16;
    auto x = randomInputs(n, 3);
    auto ref = exporter::torchProbabilities(*net, x.data(), n, kClasses);
    exporter::RuntimeModel rm(*g);
    std::vector<float> p(kClasses);
    double worst = 0, spread = 0;
    for (int i = 0; i < n; ++i) {
        QVERIFY(
            rm.run({x.data() + size_t(i) * kFrames * kCoeffs, size_t(kFrames * kCoeffs)}, p).ok());
        for (int c = 0; c < kClasses; ++c) {
            worst =
                std::max(worst, double(std::fabs(p[size_t(c)] - ref[size_t(i * kClasses + c)])));
            spread = std::max(spread, double(std::fabs(ref[size_t(i * kClasses + c)] - 1.0 / 3)));
        }
    }
    QVERIFY2(worst < 1e-4, qPrintable(QString("max |dp| = %1").arg(worst)));
    QVERIFY2(spread > 1e-3, "the reference outputs are all uniform: the test would not see errors");

    // The header for this graph is self-consistent C.
    exporter::HeaderInfo info;
    info.runName = "test";
    info.format = "c";
    info.testInput.assign(x.begin(), x.begin() + kFrames * kCoeffs);
    info.testExpected.assign(ref.begin(), ref.begin() + kClasses);
    const std::string h = exporter::emitModelHeader(*g, info);
    QVERIFY(h.find("DW_MODEL_SCRATCH_BYTES " + std::to_string(g->scratchBytes)) !=
            std::string::npos);
}

void TestExportTorch::int8ArgmaxAgreesWithFloat()
{
    // A small trained model (few Adam steps on separable synthetic features) with dendrites.
    auto net = makeNet("conv1d", "gd", "sigmoid", 1);
    randomise(*net, 0.1, 5);
    auto data = syntheticData(120, 9);
    const int64_t F = kFrames * kCoeffs;
    torch::Tensor X = torch::from_blob(data.x.data(), {int64_t(data.size()), F}).clone();
    torch::Tensor Y = torch::tensor(std::vector<int64_t>(data.y.begin(), data.y.end()));
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(0.005));
    net->train();
    for (int step = 0; step < 60; ++step) {
        auto idx = torch::randint(int64_t(data.size()), {32}, torch::kLong);
        auto loss = torch::nn::functional::cross_entropy(net->forward(X.index_select(0, idx)),
                                                         Y.index_select(0, idx));
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
    net->eval();
    auto g = exporter::graphFromNetwork(*net, data.labels);
    QVERIFY(g.ok());
    std::vector<std::span<const float>> cal, held;
    for (size_t i = 0; i < data.size(); ++i)
        (data.split[i] == Split::Train ? cal : held)
            .push_back({data.x.data() + i * size_t(F), size_t(F)});
    QVERIFY(exporter::calibrate(*g, cal).ok());
    auto q = exporter::quantize(*g);
    QVERIFY2(q.ok(), q.ok() ? "" : q.error().text().c_str());
    QVERIFY(q->int8);
    QVERIFY(q->scratchBytes < g->scratchBytes); // int8 activations take a quarter
    exporter::RuntimeModel rf(*g), rq(*q);
    std::vector<float> pf(kClasses), pq(kClasses);
    int agree = 0, correctF = 0;
    for (size_t i = 0; i < held.size(); ++i) {
        QVERIFY(rf.run(held[i], pf).ok());
        QVERIFY(rq.run(held[i], pq).ok());
        const auto af = std::max_element(pf.begin(), pf.end()) - pf.begin();
        const auto aq = std::max_element(pq.begin(), pq.end()) - pq.begin();
        agree += af == aq;
        (void)correctF;
    }
    const double agreement = double(agree) / double(held.size());
    qInfo("int8 vs float argmax agreement %.4f on %zu clips", agreement, held.size());
    QVERIFY2(agreement >= 0.98, qPrintable(QString::number(agreement)));
}

// Exports `net` to DIR/m.onnx with 2 random inputs (x.txt) and LibTorch's probabilities for
// them (ref.txt), for the ONNX checkers to compare against.
void writeOnnxCase(engine::Network& net, const QString& dir)
{
    auto g = exporter::graphFromNetwork(*net, {"a", "b", "c"});
    QVERIFY(g.ok());
    const std::string bytes = exporter::onnxModel(*g, "test");
    QVERIFY(bytes.size() > 1000);
    QVERIFY(writeFileAtomic((dir + "/m.onnx").toStdString(), bytes).ok());
    auto x = randomInputs(2, 4);
    auto ref = exporter::torchProbabilities(*net, x.data(), 2, kClasses);
    QString xs, rs;
    for (float v : x)
        xs += QString::number(double(v), 'g', 9) + ",";
    for (float v : ref)
        rs += QString::number(double(v), 'g', 9) + ",";
    QVERIFY(writeFileAtomic((dir + "/x.txt").toStdString(), xs.toStdString()).ok());
    QVERIFY(writeFileAtomic((dir + "/ref.txt").toStdString(), rs.toStdString()).ok());
}

void TestExportTorch::onnxPassesChecker()
{
    // The block's family: floor pooling of odd extents must be ceil_mode 0 in the ONNX graph.
    auto net = makeNet("block", "cc", "tanh", 2);
    randomise(*net, 0.3, 21);
    net->eval();
    writeOnnxCase(net, m_tmp.path());
    if (QTest::currentTestFailed())
        return;
    // Debian's interpreter: python3-onnx lives in /usr/lib/python3/dist-packages.
    const QString python =
        QFileInfo::exists("/usr/bin/python3") ? QString("/usr/bin/python3") : QString("python3");
    auto probe = runProc(python, {"-c", "import onnx"}, m_tmp.path());
    if (probe.code != 0)
        QSKIP("python3-onnx is not installed (apt-get install python3-onnx)");
    // The checker, plus onnx's reference evaluator when this onnx version has one.
    const QString script = QStringLiteral(
        "import onnx, sys\n"
        "m = onnx.load('m.onnx')\n"
        "onnx.checker.check_model(m, full_check=True)\n"
        "print('checker ok')\n"
        "try:\n"
        "    from onnx.reference import ReferenceEvaluator\n"
        "except ImportError:\n"
        "    print('no reference evaluator'); sys.exit(0)\n"
        "import numpy as np\n"
        "x = np.array([float(v) for v in open('x.txt').read().split(',') if v], "
        "dtype=np.float32).reshape(2, -1)\n"
        "r = np.array([float(v) for v in open('ref.txt').read().split(',') if v]).reshape(2, -1)\n"
        "p = ReferenceEvaluator(m).run(None, {'features': x})[0]\n"
        "d = float(np.abs(p - r).max()); print('max diff', d); sys.exit(0 if d < 1e-4 else 3)\n");
    auto r = runProc(python, {"-c", script}, m_tmp.path());
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    qInfo("%s", qPrintable(r.out.trimmed()));
}

void TestExportTorch::exportedFolderBuildsAndChecksItself()
{
    // A real run folder: a short training on synthetic features.
    m_data = syntheticData(60, 17);
    m_run = (m_tmp.path() + "/runs/r1").toStdString();
    TrainConfig cfg;
    cfg.mode = "gd";
    cfg.epochs_max = 3;
    cfg.n_patience = 1;
    cfg.batch_size = 16;
    auto sum = engine::runTraining(m_data, cfg, std::nullopt, m_run, nullptr);
    QVERIFY2(sum.ok(), sum.ok() ? "" : sum.error().text().c_str());
    QVERIFY(std::filesystem::exists(m_run / "best.pt"));
    m_trained = true;

    for (QString fmt : {"c", "c-int8"}) {
        const QString out = m_tmp.filePath("export-" + fmt);
        ExportOptions opt;
        opt.format = *exportFormatFromName(fmt.toStdString());
        opt.measureArm = fmt == "c"; // once is enough for the test's time budget
        auto res = exportRun(m_run, out.toStdString(), opt, &m_data);
        QVERIFY2(res.ok(), res.ok() ? "" : res.error().text().c_str());
        QCOMPARE(res->testClips, int(m_data.count(Split::Test)));
        QVERIFY(res->board.macs > 0);
        QVERIFY(res->board.flashBytes > res->board.weightBytes / 2);
        QVERIFY(res->board.ramBytes >= res->board.scratchBytes);
        if (fmt == "c")
            QVERIFY2(res->maxProbabilityDifference < 1e-4,
                     qPrintable(QString::number(res->maxProbabilityDifference)));
        qInfo("%s", res->text().c_str());

        QStringList sources = QDir(out).entryList({"*.c"}, QDir::Files);
        QVERIFY(sources.contains("main.c") && sources.contains("dw_nn.c") &&
                sources.contains("dw_mfcc.c"));
        auto cc = runProc("cc",
                          QStringList{"-std=c99", "-O2", "-Wall", "-Wextra"} + sources +
                              QStringList{"-lm", "-o", "classify"},
                          out);
        QVERIFY2(cc.code == 0, qPrintable(cc.err));
        QVERIFY2(!cc.err.contains("warning"), qPrintable(cc.err));

        auto labels = runProc(out + "/classify", {"--labels"}, out);
        QCOMPARE(labels.out.trimmed(), QString("noise yes no"));

        // A good WAV: probabilities on one line, summing to 1, equal to LibTorch on core MFCC.
        const QString wav = m_tmp.filePath("good.wav");
        QVERIFY(writeWav(wav, 16000, 16000, 1));
        auto r = runProc(out + "/classify", {wav}, out);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("self-check ok"), qPrintable(r.err));
        const QStringList parts = r.out.trimmed().split(' ');
        QCOMPARE(parts.size(), kClasses);
        QCOMPARE(r.out.count('\n'), 1);
        std::vector<float> host;
        for (const auto& s : parts)
            host.push_back(s.toFloat());
        QVERIFY(std::fabs(host[0] + host[1] + host[2] - 1.0f) < 1e-4);
        auto audio = readWavPcm16(wav.toStdString());
        QVERIFY(audio.ok());
        std::vector<float> samples(audio->samples.begin(), audio->samples.end());
        auto feats = computeFeatures(samples, cfg.features);
        QVERIFY(feats.ok());
        auto pred = predict(m_run, *feats);
        QVERIFY(pred.ok());
        for (int c = 0; c < kClasses; ++c) {
            const double tol = fmt == "c" ? 1e-3 : 0.1;
            QVERIFY2(std::fabs(host[size_t(c)] - pred->probabilities[size_t(c)]) < tol,
                     qPrintable(QString("%1: host %2 torch %3")
                                    .arg(fmt)
                                    .arg(host[size_t(c)])
                                    .arg(pred->probabilities[size_t(c)])));
        }

        // Bad input: another rate, another length, not a WAV.
        const QString slow = m_tmp.filePath("8k.wav");
        QVERIFY(writeWav(slow, 8000, 8000, 2));
        r = runProc(out + "/classify", {slow}, out);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("8000 Hz") && r.err.contains("hint"), qPrintable(r.err));
        const QString shortWav = m_tmp.filePath("short.wav");
        QVERIFY(writeWav(shortWav, 16000, 8000, 3));
        r = runProc(out + "/classify", {shortWav}, out);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("8000 samples") && r.err.contains("hint"), qPrintable(r.err));
        r = runProc(out + "/classify", {out + "/model.h"}, out);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not a WAV"), qPrintable(r.err));
        r = runProc(out + "/classify", {}, out);
        QCOMPARE(r.code, 2);

        // A damaged model.h (expected output changed) makes the self-check fail.
        if (fmt == "c") {
            QFile f(out + "/model.h");
            QVERIFY(f.open(QIODevice::ReadOnly));
            QString text = QString::fromUtf8(f.readAll());
            f.close();
            const int at = text.indexOf("dw_model_test_expected[");
            QVERIFY(at > 0);
            const int brace = text.indexOf("{", at);
            text.insert(brace + 1, "0.5f + ");
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(text.toUtf8());
            f.close();
            cc = runProc(
                "cc", QStringList{"-std=c99", "-O2"} + sources + QStringList{"-lm", "-o", "broken"},
                out);
            QVERIFY2(cc.code == 0, qPrintable(cc.err));
            r = runProc(out + "/broken", {wav}, out);
            QCOMPARE(r.code, 3);
            QVERIFY(r.err.contains("self-check FAILED"));
        }
    }
}

void TestExportTorch::verifyReportsAgreement()
{
    if (!m_trained)
        QSKIP("needs the run of exportedFolderBuildsAndChecksItself");
    auto v = verifyRun(m_run, m_data, 100);
    QVERIFY2(v.ok(), v.ok() ? "" : v.error().text().c_str());
    QCOMPARE(v->clips, int(m_data.count(Split::Test)));
    QVERIFY2(v->floatC.maxProbabilityDifference < 1e-4, v->text().c_str());
    QCOMPARE(v->floatC.argmaxAgreement, 1.0);
    QVERIFY(v->int8C.argmaxAgreement > 0.8);
    qInfo("%s", v->text().c_str());
}

void TestExportTorch::runWithoutCheckpointIsRefused()
{
    const std::filesystem::path empty = m_tmp.filePath("runs/empty").toStdString();
    std::filesystem::create_directories(empty);
    ExportOptions opt;
    auto r = exportRun(empty, m_tmp.filePath("out-empty").toStdString(), opt, nullptr);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.find("best.pt") != std::string::npos, r.error().text().c_str());
    QVERIFY(!r.error().hint.empty());
    QCOMPARE(r.error().code, 3);
    QVERIFY(!std::filesystem::exists(m_tmp.filePath("out-empty").toStdString()));
    auto r2 = exportRun(m_tmp.filePath("runs/missing").toStdString(),
                        m_tmp.filePath("out-missing").toStdString(), opt, nullptr);
    QVERIFY(!r2.ok());
    QVERIFY(r2.error().message.find("does not exist") != std::string::npos);
    if (m_trained) {
        // int8 without the project's clips cannot calibrate: a clear error, not a bad model.
        opt.format = ExportFormat::CInt8;
        auto r3 = exportRun(m_run, m_tmp.filePath("out-int8").toStdString(), opt, nullptr);
        QVERIFY(!r3.ok());
        QVERIFY(r3.error().message.find("calibration") != std::string::npos);
    }
}

void TestExportTorch::unsupportedLayerIsRefused()
{
    auto conv = torch::nn::Conv1d(torch::nn::Conv1dOptions(13, 4, 3).padding(2).dilation(2));
    engine::DendriteLayer layer(conv.ptr(), engine::LayerKind::Conv1d, engine::DendriteOptions{});
    exporter::Graph g;
    g.input = g.addTensor({13, 1, 50});
    auto r = exporter::appendWrapped(g, *layer, g.input, false, "layer_0");
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.find("dilation") != std::string::npos, r.error().text().c_str());
    QVERIFY(!r.error().hint.empty());

    auto grouped = torch::nn::Conv1d(torch::nn::Conv1dOptions(4, 4, 3).padding(1).groups(2));
    engine::DendriteLayer layer2(grouped.ptr(), engine::LayerKind::Conv1d,
                                 engine::DendriteOptions{});
    exporter::Graph g2;
    g2.input = g2.addTensor({4, 1, 50});
    auto r2 = exporter::appendWrapped(g2, *layer2, g2.input, false, "layer_0");
    QVERIFY(!r2.ok());
    QVERIFY(r2.error().message.find("grouped") != std::string::npos);
}

// ONNX Runtime (the npm package onnxruntime-node, installed by ./run.sh test into
// tools/onnxruntime) runs the exported models with LibTorch's probabilities within 1e-5.
void TestExportTorch::onnxRuntimeAgreesWithLibTorch_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("k");
    QTest::newRow("conv1d traditional") << "conv1d"
                                        << "traditional" << 0;
    QTest::newRow("conv1d cc K=2") << "conv1d"
                                   << "cc" << 2;
    QTest::newRow("ei2d gd K=1") << "conv2d"
                                 << "gd" << 1;
    QTest::newRow("block cc K=3") << "block"
                                  << "cc" << 3;
}

void TestExportTorch::onnxRuntimeAgreesWithLibTorch()
{
    QFETCH(QString, kind);
    QFETCH(QString, mode);
    QFETCH(int, k);
    const QString tool = QStringLiteral(DW_SOURCE_DIR "/tools/onnxruntime");
    if (QStandardPaths::findExecutable("npm").isEmpty() ||
        QStandardPaths::findExecutable("node").isEmpty())
        QSKIP("npm/node are not installed: ONNX Runtime (npm onnxruntime-node) cannot run here");
    QVERIFY2(QFileInfo::exists(tool + "/node_modules/onnxruntime-node/package.json"),
             "onnxruntime-node is missing: run ./run.sh test, or npm install --ignore-scripts "
             "in tools/onnxruntime");
    auto net = makeNet(kind, mode, "sigmoid", k);
    randomise(*net, 0.3, 23 + k);
    net->eval();
    QTemporaryDir dir;
    writeOnnxCase(net, dir.path());
    if (QTest::currentTestFailed())
        return;
    auto r = runProc("node", {tool + "/check.js", "m.onnx", "x.txt", "ref.txt", "2", "1e-5"},
                     dir.path());
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    qInfo("%s", qPrintable(r.out.trimmed()));
}

void TestExportTorch::cleanupTestCase() {}

QTEST_GUILESS_MAIN(TestExportTorch)
#include "test_export_torch.moc"
