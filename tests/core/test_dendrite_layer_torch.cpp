// SPDX-License-Identifier: GPL-3.0-or-later
// DendriteLayer and Network: perforated-backprop.md section 6 (gradient isolation of cc
// dendrites, function-preserving new dendrites, candidate correlation, parameter formula).
#include "dendrite_layer.h"
#include "models.h"

#include <QtTest/QtTest>

using namespace dw::engine;

namespace {

DendriteLayer makeLayer(LayerKind kind, DendriteMode mode, Activation act = Activation::Sigmoid,
                        double init = 0.5)
{
    std::shared_ptr<torch::nn::Module> base;
    switch (kind) {
    case LayerKind::Linear:
        base = torch::nn::Linear(5, 3).ptr();
        break;
    case LayerKind::Conv1d:
        base = torch::nn::Conv1d(torch::nn::Conv1dOptions(4, 3, 3).padding(1)).ptr();
        break;
    case LayerKind::Conv2d:
        base = torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 3, 3).padding(1)).ptr();
        break;
    }
    return DendriteLayer(base, kind, DendriteOptions{mode, act, init, true});
}

torch::Tensor inputFor(LayerKind kind)
{
    switch (kind) {
    case LayerKind::Linear:
        return torch::randn({6, 5});
    case LayerKind::Conv1d:
        return torch::randn({6, 4, 7});
    case LayerKind::Conv2d:
        return torch::randn({6, 2, 5, 4});
    }
    return {};
}

void randomiseTopWeights(DendriteLayer& l)
{
    torch::NoGradGuard ng;
    for (auto& p : l->named_parameters())
        if (p.key().rfind("wtop_", 0) == 0 || p.key().rfind("wdd_", 0) == 0)
            p.value().normal_(0, 1);
}

long long countTensors(torch::nn::Module& m, bool skipCandidate)
{
    long long n = 0;
    for (const auto& p : m.named_parameters()) {
        if (skipCandidate && p.key().find("candidate") != std::string::npos)
            continue;
        n += p.value().numel();
    }
    return n;
}

} // namespace

class TestDendriteLayer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void ccGradientIsolation_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("linear") << int(LayerKind::Linear);
        QTest::newRow("conv1d") << int(LayerKind::Conv1d);
        QTest::newRow("conv2d") << int(LayerKind::Conv2d);
    }
    // cc: the gradient reaching the layer's input (earlier layers) is the same with and without
    // dendrites; gd (control) differs, so the test can fail.
    void ccGradientIsolation()
    {
        QFETCH(int, kind);
        auto k = LayerKind(kind);
        for (DendriteMode mode : {DendriteMode::CC, DendriteMode::GD}) {
            DendriteLayer plain = makeLayer(k, mode);
            DendriteLayer with = makeLayer(k, mode);
            {
                torch::NoGradGuard ng;
                auto a = plain->base().parameters();
                auto b = with->base().parameters();
                for (size_t i = 0; i < a.size(); ++i)
                    b[i].copy_(a[i]);
            }
            with->addDendrite();
            with->addDendrite();
            randomiseTopWeights(with);
            torch::Tensor x0 = inputFor(k);
            torch::Tensor x1 = x0.clone().requires_grad_(true);
            torch::Tensor x2 = x0.clone().requires_grad_(true);
            torch::Tensor y1 = plain->forward(x1);
            torch::Tensor y2 = with->forward(x2);
            torch::Tensor g = torch::randn_like(y1);
            y1.backward(g);
            y2.backward(g);
            double diff = (x1.grad() - x2.grad()).abs().max().item<double>();
            // The outputs differ (the dendrites are live), only the input gradient is equal.
            QVERIFY((y1 - y2).abs().max().item<double>() > 1e-4);
            if (mode == DendriteMode::CC)
                QVERIFY2(diff < 1e-7, qPrintable(QString("cc grad diff %1").arg(diff)));
            else
                QVERIFY2(diff > 1e-4, qPrintable(QString("gd grad diff %1").arg(diff)));
        }
    }

    void newDendriteKeepsOutput_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("act");
        for (int k = 0; k < 3; ++k)
            for (int a = 0; a < 3; ++a)
                QTest::newRow(qPrintable(QString("kind%1-act%2").arg(k).arg(a))) << k << a;
    }
    void newDendriteKeepsOutput()
    {
        QFETCH(int, kind);
        QFETCH(int, act);
        auto k = LayerKind(kind);
        DendriteLayer l = makeLayer(k, DendriteMode::CC, Activation(act), 0.5);
        torch::Tensor x = inputFor(k);
        for (int round = 0; round < 3; ++round) {
            torch::Tensor before = l->forward(x).detach();
            l->addDendrite();
            torch::Tensor after = l->forward(x).detach();
            QVERIFY((before - after).abs().max().item<double>() < 1e-6);
            randomiseTopWeights(l); // the next dendrite joins a live cascade
            QVERIFY((l->forward(x) - after).abs().max().item<double>() > 1e-6);
        }
        QCOMPARE(l->dendrites(), 3);
    }

    // The candidate learns to correlate with a residual error planted in the target.
    void candidateCorrelationRises()
    {
        torch::manual_seed(3);
        DendriteLayer l = makeLayer(LayerKind::Linear, DendriteMode::CC, Activation::Sigmoid, 0.01);
        l->addDendrite(); // a cascade input too
        torch::Tensor w = torch::randn({5, 3});
        l->startCandidate();
        torch::optim::Adam opt(l->candidateParameters(), torch::optim::AdamOptions(0.02));
        double early = 0, late = 0;
        auto pearson = [](torch::Tensor a, torch::Tensor b) {
            a = a - a.mean(0);
            b = b - b.mean(0);
            return ((a * b).sum(0) / (a.norm(2, 0) * b.norm(2, 0) + 1e-12))
                .abs()
                .mean()
                .item<double>();
        };
        double firstCorr = 0, lastCorr = 0;
        for (int step = 0; step < 400; ++step) {
            torch::Tensor x = torch::randn({64, 5}).requires_grad_(true);
            torch::Tensor y = l->forward(x);
            torch::Tensor target;
            {
                torch::NoGradGuard ng;
                target = y + 3.0 * torch::tanh(x.matmul(w)); // planted residual
            }
            torch::Tensor loss = 0.5 * (y - target).pow(2).sum(1).mean();
            opt.zero_grad();
            loss.backward();
            QVERIFY(l->lastE().defined());
            double c = pearson(l->lastV().detach(), l->lastE());
            torch::Tensor lcc = l->candidateStep(20);
            lcc.backward();
            opt.step();
            if (step == 5) {
                early = l->candidateScore();
                firstCorr = c;
            }
            lastCorr = c;
        }
        late = l->candidateScore();
        QVERIFY2(late > 3 * early,
                 qPrintable(QString("score early %1 late %2").arg(early).arg(late)));
        QVERIFY2(lastCorr > 0.8 && lastCorr > firstCorr,
                 qPrintable(QString("corr %1 -> %2").arg(firstCorr).arg(lastCorr)));
        QVERIFY(l->candidateEpochEnd()); // improved from 0: a snapshot is taken
        torch::Tensor x = torch::randn({8, 5});
        torch::Tensor before = l->forward(x).detach();
        l->acceptCandidate();
        QCOMPARE(l->dendrites(), 2);
        QVERIFY(!l->hasCandidate());
        QVERIFY((l->forward(x) - before).abs().max().item<double>() < 1e-6);
    }

    void paramFormula_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("linear") << int(LayerKind::Linear);
        QTest::newRow("conv1d") << int(LayerKind::Conv1d);
        QTest::newRow("conv2d") << int(LayerKind::Conv2d);
    }
    void paramFormula()
    {
        QFETCH(int, kind);
        DendriteLayer l = makeLayer(LayerKind(kind), DendriteMode::CC);
        for (int k = 0; k <= 4; ++k) {
            QCOMPARE(l->cleanParams(), countTensors(*l, true));
            QCOMPARE(l->cleanParams(), cleanParamFormula(l->baseParams(), 3, k));
            l->startCandidate(); // candidates are never counted
            QCOMPARE(l->cleanParams(), countTensors(*l, true));
            l->acceptCandidate();
        }
        QCOMPARE(l->dendrites(), 5);
        QCOMPARE(l->cleanParams(), countTensors(*l, false));
    }

    void networkCounts_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("frames");
        QTest::addColumn<int>("classes");
        QTest::addColumn<long long>("params");
        QTest::addColumn<int>("wrapped");
        // EI 1-D: conv 13*8*3+8 = 320, conv 8*16*3+16 = 400, 50 -> 25 -> 13 frames (Keras
        // 'same' pooling), Dense (16*13+1)*C: 720 + 209*C.
        QTest::newRow("ei1d-12") << "ei1d" << 50 << 12 << 720LL + 209 * 12 << 3;
        QTest::newRow("ei1d-3") << "ei1d" << 50 << 3 << 720LL + 209 * 3 << 3;
        // The block's tutorial net: conv 1*8*9+8 = 80, conv 8*16*9+16 = 1168, floor pooling
        // 48 x 13 -> 24 x 6 -> 12 x 3, Linear 576*3+3 = 1731: 2,979 (spec section 7).
        QTest::newRow("ei2d-48x13-3") << "ei2d" << 48 << 3 << 2979LL << 3;
        // 50 x 13 -> 25 x 6 -> 12 x 3 (floor): 1248 + (16*12*3+1)*C.
        QTest::newRow("ei2d-12") << "ei2d" << 50 << 12 << 1248LL + 577 * 12 << 3;
        // block, the train.py defaults (3 conv, 2 linear, width 2, growth 5 = [8,8,8,16] ->
        // 16,16,16): 48 x 13 -> 6 x 1, 96 features; hidden int(exp((ln 96 + ln 3) / 2)) = 16.
        // conv 160 + 2320 + 2320, Linear 96*16+16 = 1552, 16*3+3 = 51: 6,403, the count the
        // block's own committed run logged (PAIbest_test_scores.csv).
        QTest::newRow("block-defaults")
            << "block" << 48 << 3 << 160LL + 2320 + 2320 + 1552 + 51 << 5;
    }
    void networkCounts()
    {
        QFETCH(QString, model);
        QFETCH(int, frames);
        QFETCH(int, classes);
        QFETCH(long long, params);
        QFETCH(int, wrapped);
        dw::TrainConfig c;
        c.model = model.toStdString();
        if (model == "block") {
            c.conv_layers = 3;
            c.linear_layers = 2;
            c.width = 2;
            c.growth_mode = 5;
            c.dropout = 0.1;
        }
        auto spec = specFor(c, frames, 13, classes);
        QVERIFY(spec.ok());
        Network net(*spec, DendriteMode::CC, Activation::Sigmoid, 0.01, true);
        QCOMPARE(net->cleanParams(), params);
        QCOMPARE(countTensors(*net, false), params);
        QCOMPARE(net->forward(torch::randn({4, frames * 13})).sizes(),
                 (std::vector<int64_t>{4, classes}));
        net->addDendrites();
        net->addDendrites();
        QCOMPARE(net->cleanParams(), countTensors(*net, false));
        QCOMPARE(net->dendriteCounts(), std::vector<int>(size_t(wrapped), 2));
        // Save/load round-trips at K = 2 (stable names).
        std::stringstream ss;
        torch::serialize::OutputArchive out;
        net->save(out);
        out.save_to(ss);
        Network other(*spec, DendriteMode::CC, Activation::Sigmoid, 0.01, true);
        other->addDendrites();
        other->addDendrites();
        torch::serialize::InputArchive in;
        in.load_from(ss);
        other->load(in);
        net->eval();
        other->eval();
        torch::Tensor x = torch::randn({3, frames * 13});
        QVERIFY((net->forward(x) - other->forward(x)).abs().max().item<double>() < 1e-7);
    }

    void customFamily()
    {
        dw::TrainConfig c;
        c.model = "custom";
        c.conv_layers = 1;
        c.width = 0.25;
        c.linear_layers = 2;
        auto spec = specFor(c, 50, 13, 12);
        QVERIFY(spec.ok());
        Network net(*spec, DendriteMode::CC, Activation::Sigmoid, 0.01, false);
        // conv 13->2 (80), flat 2*25 = 50, hidden round(sqrt(50*12)) = 24: 50*24+24, 24*12+12.
        QCOMPARE(net->cleanParams(), 80LL + 1224 + 300);
        QCOMPARE(int(net->wrapped().size()), 2); // perforate linear: the two Linear layers
        c.growth_mode = 5;
        c.conv_layers = 3;
        c.width = 2;
        c.conv_dim = 2;
        c.linear_layers = 1;
        auto s2 = specFor(c, 50, 13, 12);
        QVERIFY(s2.ok());
        Network n2(*s2, DendriteMode::GD, Activation::Relu, 0.01, true);
        QCOMPARE(int(n2->wrapped().size()), 4);
        QCOMPARE(n2->forward(torch::randn({2, 650})).size(1), 12);
    }

    // The layer order of the block's train.py: conv blocks with a fixed Dropout 0.25, floor
    // pooling, Dropout(dropout) before every Linear; channels truncate (int(base * width)).
    void blockFamilyAsTrainPy()
    {
        using Op = NetSpec::Op;
        dw::TrainConfig c;
        c.model = "block";
        c.conv_layers = 2;
        c.linear_layers = 2;
        c.width = 0.3; // 8 * 0.3 = 2.4 -> 2, 16 * 0.3 = 4.8 -> 4 (rounding would give 5)
        c.growth_mode = 0;
        c.dropout = 0.5;
        auto spec = specFor(c, 49, 13, 3);
        QVERIFY2(spec.ok(), spec ? "" : spec.error().text().c_str());
        QVERIFY(spec->poolFloor);
        QVERIFY(spec->maxNorm);
        QCOMPARE(int(spec->input), int(NetSpec::Input::Image2d));
        std::vector<int> convs, linears;
        std::vector<double> convDropout;
        for (size_t i = 0; i < spec->layers.size(); ++i) {
            const auto& l = spec->layers[i];
            if (l.op == Op::Conv)
                convs.push_back(l.out);
            if (l.op == Op::Pool) {
                QVERIFY(i + 1 < spec->layers.size());
                QCOMPARE(int(spec->layers[i + 1].op), int(Op::Dropout));
                convDropout.push_back(spec->layers[i + 1].p);
            }
            if (l.op == Op::Linear) {
                linears.push_back(l.out);
                QCOMPARE(int(spec->layers[i - 1].op), int(Op::Dropout));
                QCOMPARE(spec->layers[i - 1].p, 0.5);
            }
        }
        QCOMPARE(convs, (std::vector<int>{2, 4}));
        QCOMPARE(convDropout, (std::vector<double>{0.25, 0.25}));
        // 49 x 13 -> 24 x 6 -> 12 x 3: 4 * 36 = 144 features; int(sqrt(144 * 3)) = 20.
        QCOMPARE(linears, (std::vector<int>{20, 3}));
        Network net(*spec, DendriteMode::CC, Activation::Tanh, 0.01, false);
        QCOMPARE(net->forward(torch::randn({2, 49 * 13})).size(1), 3);
        QCOMPARE(net->cleanParams(), 20LL + 76 + (144 * 20 + 20) + (20 * 3 + 3));

        // ei2d ignores the dropout knob: 0.25 after each conv, none before its Linear.
        c.model = "ei2d";
        auto tut = specFor(c, 48, 13, 3);
        QVERIFY(tut.ok());
        QCOMPARE(int(tut->layers[tut->layers.size() - 2].op), int(Op::Flatten));
        for (const auto& l : tut->layers)
            if (l.op == Op::Dropout)
                QCOMPARE(l.p, 0.25);

        // Three floor poolings leave nothing of 4 frames: a clear error, not a crash.
        c.model = "block";
        c.conv_layers = 3;
        auto tiny = specFor(c, 4, 13, 3);
        QVERIFY(!tiny.ok());
        QVERIFY(tiny.error().message.find("conv_layers") != std::string::npos ||
                tiny.error().hint.find("conv_layers") != std::string::npos);

        // Checkpoints from before the floor option read as ceil (Keras) pooling.
        auto old = NetSpec::fromJson(
            R"({"input":"image2d","frames":50,"coeffs":13,"classes":3,"max_norm":true,"layers":[]})");
        QVERIFY(old.ok());
        QVERIFY(!old->poolFloor);
        auto round = NetSpec::fromJson(spec->toJson());
        QVERIFY(round.ok() && round->poolFloor);
    }
};

QTEST_APPLESS_MAIN(TestDendriteLayer)
#include "test_dendrite_layer_torch.moc"
