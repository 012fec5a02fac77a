// SPDX-License-Identifier: GPL-3.0-or-later
// FusedAdam (core/src/fused_adam.h) against LibTorch's stock torch::optim::Adam: the same updates
// on the same gradients, over many steps and learning-rate changes; checkpoints written by one
// load into the other; options the fused loop does not cover take the stock path.
#include "fused_adam.h"

#include <QtTest/QtTest>

#include <sstream>

using dw::engine::FusedAdam;

namespace {

// Parameter tensors shaped like a small conv net's (conv weight, bias, linear weight, bias).
std::vector<torch::Tensor> makeParams(uint64_t seed)
{
    torch::manual_seed(seed);
    std::vector<torch::Tensor> ps = {torch::randn({8, 13, 3}), torch::randn({8}),
                                     torch::randn({12, 208}), torch::randn({12})};
    for (auto& p : ps)
        p.set_requires_grad(true);
    return ps;
}

std::vector<torch::Tensor> cloneParams(const std::vector<torch::Tensor>& ps)
{
    std::vector<torch::Tensor> out;
    for (const auto& p : ps)
        out.push_back(p.detach().clone().set_requires_grad(true));
    return out;
}

// The same pseudo-random gradient for step `s` of parameter `i` in both optimizers.
void setGrads(std::vector<torch::Tensor>& ps, int s)
{
    for (size_t i = 0; i < ps.size(); ++i) {
        torch::manual_seed(uint64_t(1000 * s + int(i)));
        ps[i].mutable_grad() = torch::randn(ps[i].sizes()) * (1.0 + 0.1 * s);
    }
}

double maxDiff(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i)
        d = std::max(d, (a[i] - b[i]).abs().max().item<double>());
    return d;
}

void setLr(torch::optim::Optimizer& o, double lr)
{
    for (auto& g : o.param_groups())
        static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
}

} // namespace

class TestFusedAdam : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matchesStockAdam_data()
    {
        QTest::addColumn<double>("lr");
        QTest::addColumn<double>("eps");
        QTest::addColumn<int>("steps");
        QTest::newRow("default lr") << 0.005 << 1e-8 << 200;
        QTest::newRow("large lr") << 0.1 << 1e-8 << 50;
        QTest::newRow("large eps") << 0.01 << 1e-3 << 50;
    }
    void matchesStockAdam()
    {
        QFETCH(double, lr);
        QFETCH(double, eps);
        QFETCH(int, steps);
        auto a = makeParams(7), b = cloneParams(a);
        torch::optim::Adam stock(a, torch::optim::AdamOptions(lr).eps(eps));
        FusedAdam fused(b, torch::optim::AdamOptions(lr).eps(eps));
        for (int s = 0; s < steps; ++s) {
            if (s == steps / 2) { // as ReduceLROnPlateau does
                setLr(stock, lr * 0.5);
                setLr(fused, lr * 0.5);
            }
            setGrads(a, s);
            setGrads(b, s);
            stock.step();
            fused.step();
        }
        // The parameters moved, and both optimizers moved them alike (the same float arithmetic;
        // at most rounding differences).
        QVERIFY(maxDiff(a, makeParams(7)) > 0.1);
        const double d = maxDiff(a, b);
        QVERIFY2(d <= 1e-6, qPrintable(QStringLiteral("max difference %1").arg(d)));
    }

    void parametersWithoutGradientAreSkipped()
    {
        auto a = makeParams(3), b = cloneParams(a);
        torch::optim::Adam stock(a, torch::optim::AdamOptions(0.01));
        FusedAdam fused(b, torch::optim::AdamOptions(0.01));
        setGrads(a, 1);
        setGrads(b, 1);
        a[1].mutable_grad() = torch::Tensor();
        b[1].mutable_grad() = torch::Tensor();
        const torch::Tensor before = b[1].detach().clone();
        stock.step();
        fused.step();
        QVERIFY(torch::equal(b[1].detach(), before));
        QVERIFY(maxDiff(a, b) <= 1e-6);
    }

    void checkpointsInterchange()
    {
        auto a = makeParams(5), b = cloneParams(a), c = cloneParams(a);
        FusedAdam fused(a, torch::optim::AdamOptions(0.01));
        torch::optim::Adam stock(b, torch::optim::AdamOptions(0.01));
        for (int s = 0; s < 10; ++s) {
            setGrads(a, s);
            setGrads(b, s);
            fused.step();
            stock.step();
        }
        // Fused state saved, loaded by the stock optimizer on a copy of the parameters.
        std::stringstream buf;
        {
            torch::serialize::OutputArchive out;
            fused.save(out);
            out.save_to(buf);
        }
        for (size_t i = 0; i < c.size(); ++i)
            c[i].data().copy_(a[i].detach());
        torch::optim::Adam resumed(c, torch::optim::AdamOptions(0.01));
        {
            torch::serialize::InputArchive in;
            in.load_from(buf);
            resumed.load(in);
        }
        for (int s = 10; s < 20; ++s) {
            setGrads(a, s);
            setGrads(c, s);
            fused.step();
            resumed.step();
        }
        QVERIFY2(maxDiff(a, c) <= 1e-6, "a resumed stock Adam continues where FusedAdam was");
        // A fresh optimizer (no state) would have moved differently: the state was really used.
        auto d = cloneParams(c);
        torch::optim::Adam fresh(d, torch::optim::AdamOptions(0.01));
        setGrads(d, 20);
        fresh.step();
        setGrads(c, 20);
        resumed.step();
        QVERIFY(maxDiff(c, d) > 1e-6);
    }

    void unsupportedOptionsTakeTheStockPath_data()
    {
        QTest::addColumn<bool>("amsgrad");
        QTest::addColumn<double>("decay");
        QTest::newRow("weight decay") << false << 0.01;
        QTest::newRow("amsgrad") << true << 0.0;
    }
    void unsupportedOptionsTakeTheStockPath()
    {
        QFETCH(bool, amsgrad);
        QFETCH(double, decay);
        auto a = makeParams(9), b = cloneParams(a);
        auto o = torch::optim::AdamOptions(0.01).amsgrad(amsgrad).weight_decay(decay);
        torch::optim::Adam stock(a, o);
        FusedAdam fused(b, o);
        for (int s = 0; s < 20; ++s) {
            setGrads(a, s);
            setGrads(b, s);
            stock.step();
            fused.step();
        }
        QCOMPARE(maxDiff(a, b), 0.0);
    }

    void nonContiguousParameterTakesTheTensorPath()
    {
        // A transposed view as parameter: the fused loop must not walk it as if contiguous.
        torch::manual_seed(11);
        torch::Tensor baseA = torch::randn({6, 4}), baseB = baseA.clone();
        torch::Tensor pa = baseA.t().set_requires_grad(true);
        torch::Tensor pb = baseB.t().set_requires_grad(true);
        torch::optim::Adam stock({pa}, torch::optim::AdamOptions(0.05));
        FusedAdam fused({pb}, torch::optim::AdamOptions(0.05));
        for (int s = 0; s < 10; ++s) {
            torch::manual_seed(uint64_t(s));
            torch::Tensor g = torch::randn({4, 6});
            pa.mutable_grad() = g.clone();
            pb.mutable_grad() = g.clone();
            stock.step();
            fused.step();
        }
        QVERIFY((pa - pb).abs().max().item<double>() <= 1e-6);
    }
};

QTEST_APPLESS_MAIN(TestFusedAdam)
#include "test_fused_adam_torch.moc"
