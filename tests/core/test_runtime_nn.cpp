// SPDX-License-Identifier: GPL-3.0-or-later
// The C99 runtime's layers (runtime/dw_nn.c) against values computed by hand, plus its graph
// interpreter on small hand-built tables and its refusal of broken tables.
#include "dw_nn.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace {

dw_layer blank(int op)
{
    dw_layer l;
    std::memset(&l, 0, sizeof l);
    l.op = op;
    return l;
}

void shape(dw_layer& l, int ic, int ih, int iw, int oc, int oh, int ow)
{
    l.in_c = ic;
    l.in_h = ih;
    l.in_w = iw;
    l.out_c = oc;
    l.out_h = oh;
    l.out_w = ow;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

} // namespace

class TestRuntimeNn : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void conv1dSamePadding_data();
    void conv1dSamePadding();
    void conv2dTwoChannels();
    void linearAndRelu();
    void maxPoolDropsPartialWindow();
    void softmaxSumsToOne();
    void transposeFramesToChannels();
    void dendriteCombine_data();
    void dendriteCombine();
    void activations_data();
    void activations();
    void quantizeMultiplier_data();
    void quantizeMultiplier();
    void requantizeRounds();
    void int8ConvHandComputed();
    void int8LinearAndDendrite();
    void layersMatchNaiveReference_data();
    void layersMatchNaiveReference();
    void graphRunsInOrder();
    void brokenTablesAreRefused();
    void macCounts();
};

void TestRuntimeNn::conv1dSamePadding_data()
{
    QTest::addColumn<int>("act");
    QTest::addColumn<QVector<float>>("expected");
    // x = 1 2 3 4, w = (1, 0, -1), b = 0.5, padding 1: y[t] = x[t-1] - x[t+1] + 0.5
    QTest::newRow("linear") << int(DW_ACT_NONE) << QVector<float>{-1.5f, -1.5f, -1.5f, 3.5f};
    QTest::newRow("fused relu") << int(DW_ACT_RELU) << QVector<float>{0.f, 0.f, 0.f, 3.5f};
}

void TestRuntimeNn::conv1dSamePadding()
{
    QFETCH(int, act);
    QFETCH(QVector<float>, expected);
    const float x[4] = {1, 2, 3, 4};
    const float w[3] = {1, 0, -1};
    const float b[1] = {0.5f};
    dw_layer l = blank(DW_OP_CONV1D);
    shape(l, 1, 1, 4, 1, 1, 4);
    l.k_h = 1;
    l.k_w = 3;
    l.s_h = l.s_w = 1;
    l.p_w = 1;
    l.weight = w;
    l.bias = b;
    l.act = act;
    float y[4] = {};
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    for (int i = 0; i < 4; ++i)
        QCOMPARE(y[i], expected[i]);
}

void TestRuntimeNn::conv2dTwoChannels()
{
    // Input 2 x 3 x 3, kernel 2 x 2, one output channel, stride 1, no padding.
    const float x[18] = {1, 2, 3, 4, 5, 6, 7, 8, 9, // channel 0
                         1, 0, 1, 0, 1, 0, 1, 0, 1}; // channel 1
    const float w[8] = {1, 0, 0, 1,   // channel 0: x[i][j] + x[i+1][j+1]
                        0, 2, 0, 0};  // channel 1: 2 * x[i][j+1]
    const float b[1] = {-1};
    dw_layer l = blank(DW_OP_CONV2D);
    shape(l, 2, 3, 3, 1, 2, 2);
    l.k_h = l.k_w = 2;
    l.s_h = l.s_w = 1;
    l.weight = w;
    l.bias = b;
    float y[4] = {};
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    // (0,0): 1+5 + 2*0 - 1 = 5; (0,1): 2+6 + 2*1 - 1 = 9; (1,0): 4+8 + 2*1 - 1 = 13;
    // (1,1): 5+9 + 2*0 - 1 = 13
    QCOMPARE(y[0], 5.f);
    QCOMPARE(y[1], 9.f);
    QCOMPARE(y[2], 13.f);
    QCOMPARE(y[3], 13.f);

    // Stride 2 with padding 1 on a 3 x 3 input gives 2 x 2 (torch: (3 + 2 - 2) / 2 + 1).
    dw_layer s = l;
    s.s_h = s.s_w = 2;
    s.p_h = s.p_w = 1;
    QCOMPARE(dw_layer_run(&s, x, y, nullptr), int(DW_OK));
    // (0,0) window rows -1..0, cols -1..0: ch0 w[1][1]*x[0][0] = 1; ch1 2*x[-1][0] = 0 -> 0
    QCOMPARE(y[0], 0.f);
    // (0,1) rows -1..0, cols 1..2: ch0 x[0][2] (w11) = 3; ch1 2*x[-1][2] = 0 -> 2
    QCOMPARE(y[1], 2.f);
    // (1,0) rows 1..2, cols -1..0: ch0 x[2][0] = 7; ch1 2*x[1][0] = 0 -> 6
    QCOMPARE(y[2], 6.f);
    // (1,1) rows 1..2, cols 1..2: ch0 x[1][1] + x[2][2] = 5 + 9; ch1 2*x[1][2] = 0 -> 13
    QCOMPARE(y[3], 13.f);
}

void TestRuntimeNn::linearAndRelu()
{
    const float x[3] = {1, -2, 3};
    const float w[6] = {1, 1, 1, 0.5f, -1, 0};
    const float b[2] = {0.25f, -3};
    dw_layer l = blank(DW_OP_LINEAR);
    shape(l, 3, 1, 1, 2, 1, 1);
    l.weight = w;
    l.bias = b;
    float y[2] = {};
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    QCOMPARE(y[0], 2.25f); // 1 - 2 + 3 + 0.25
    QCOMPARE(y[1], -0.5f); // 0.5 + 2 - 3
    dw_layer r = blank(DW_OP_RELU);
    shape(r, 2, 1, 1, 2, 1, 1);
    QCOMPARE(dw_layer_run(&r, y, y, nullptr), int(DW_OK)); // in place
    QCOMPARE(y[0], 2.25f);
    QCOMPARE(y[1], 0.f);
}

void TestRuntimeNn::maxPoolDropsPartialWindow()
{
    // Two channels of length 5, pool 2 stride 2: floor(5/2) = 2 outputs (torch default).
    const float x[10] = {1, 3, -2, -1, 9, -5, -4, 0, 2, 8};
    dw_layer l = blank(DW_OP_MAXPOOL);
    shape(l, 2, 1, 5, 2, 1, 2);
    l.k_h = l.s_h = 1;
    l.k_w = l.s_w = 2;
    float y[4] = {};
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    QCOMPARE(y[0], 3.f);
    QCOMPARE(y[1], -1.f);
    QCOMPARE(y[2], -4.f);
    QCOMPARE(y[3], 2.f);

    // Ceil mode (Keras 'same', torch ceil_mode): 5 -> 3, the last window holds one value.
    dw_layer c = l;
    c.out_w = 3;
    float yc[6] = {};
    QCOMPARE(dw_layer_run(&c, x, yc, nullptr), int(DW_OK));
    QCOMPARE(yc[2], 9.f);
    QCOMPARE(yc[5], 8.f);
    c.out_w = 4; // neither floor nor ceil: refused
    QCOMPARE(dw_layer_run(&c, x, yc, nullptr), int(DW_ERR_SHAPE));

    int8_t q[10] = {1, 3, -2, -1, 9, -5, -4, 0, 2, 8};
    int8_t qy[4] = {};
    l.op = DW_OP_MAXPOOL_Q;
    QCOMPARE(dw_layer_run(&l, q, qy, nullptr), int(DW_OK));
    QCOMPARE(int(qy[0]), 3);
    QCOMPARE(int(qy[3]), 2);
}

void TestRuntimeNn::softmaxSumsToOne()
{
    const float x[3] = {1000.f, 1001.f, 999.f}; // would overflow without max subtraction
    dw_layer l = blank(DW_OP_SOFTMAX);
    shape(l, 3, 1, 1, 3, 1, 1);
    float y[3] = {};
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    const double e0 = std::exp(-1.0), e2 = std::exp(-2.0), s = e0 + 1.0 + e2;
    QVERIFY(std::fabs(y[0] - e0 / s) < 1e-6);
    QVERIFY(std::fabs(y[1] - 1.0 / s) < 1e-6);
    QVERIFY(std::fabs(y[2] - e2 / s) < 1e-6);
}

void TestRuntimeNn::transposeFramesToChannels()
{
    // [frames = 2][coeffs = 3] -> [coeffs][frames]
    const float x[6] = {1, 2, 3, 4, 5, 6};
    dw_layer l = blank(DW_OP_TRANSPOSE);
    shape(l, 1, 2, 3, 1, 3, 2);
    float y[6] = {};
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    const float e[6] = {1, 4, 2, 5, 3, 6};
    for (int i = 0; i < 6; ++i)
        QCOMPARE(y[i], e[i]);
    QCOMPARE(dw_layer_run(&l, x, const_cast<float*>(x), nullptr), int(DW_ERR_ARG));
}

void TestRuntimeNn::dendriteCombine_data()
{
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("dact");
    QTest::addColumn<int>("act");
    QTest::newRow("K=0 identity") << 0 << int(DW_ACT_SIGMOID) << int(DW_ACT_NONE);
    QTest::newRow("K=1 sigmoid") << 1 << int(DW_ACT_SIGMOID) << int(DW_ACT_NONE);
    QTest::newRow("K=2 tanh cascade") << 2 << int(DW_ACT_TANH) << int(DW_ACT_NONE);
    QTest::newRow("K=3 relu cascade + relu") << 3 << int(DW_ACT_RELU) << int(DW_ACT_RELU);
    QTest::newRow("K=3 sigmoid cascade") << 3 << int(DW_ACT_SIGMOID) << int(DW_ACT_NONE);
}

void TestRuntimeNn::dendriteCombine()
{
    QFETCH(int, k);
    QFETCH(int, dact);
    QFETCH(int, act);
    // Two channels x three positions; z, a_1..a_3 live in one scratch buffer.
    const int C = 2, P = 3, n = C * P;
    std::vector<float> scratch(4 * n);
    for (int i = 0; i < n; ++i) {
        scratch[i] = 0.5f * float(i) - 1.5f;          // z
        scratch[n + i] = 0.3f * float(i) - 0.7f;      // a_1
        scratch[2 * n + i] = -0.2f * float(i) + 0.4f; // a_2
        scratch[3 * n + i] = 0.1f * float(i * i) - 1; // a_3
    }
    const float wtop[6] = {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f}; // [K][C]
    const float wdd[6] = {0.9f, -0.4f,                               // k=2: row j=0
                          0.3f, 0.6f, -1.1f, 0.2f};                  // k=3: rows j=0,1
    const int branch[3] = {4 * n, 8 * n, 12 * n};
    dw_layer l = blank(DW_OP_DENDRITE);
    shape(l, C, 1, P, C, 1, P);
    l.n_dendrites = k;
    l.dact = dact;
    l.act = act;
    l.branch = branch;
    l.wtop = wtop;
    l.wdd = wdd;
    std::vector<float> y(n);
    auto* bytes = reinterpret_cast<unsigned char*>(scratch.data());
    QCOMPARE(dw_layer_run(&l, scratch.data(), y.data(), bytes), int(DW_OK));

    auto f = [&](double v) {
        if (dact == DW_ACT_SIGMOID)
            return sigmoid(v);
        if (dact == DW_ACT_TANH)
            return std::tanh(v);
        return v > 0 ? v : 0.0;
    };
    for (int c = 0; c < C; ++c) {
        for (int p = 0; p < P; ++p) {
            const int i = c * P + p;
            double h[3] = {};
            double e = scratch[i];
            for (int kk = 0; kk < k; ++kk) {
                double a = scratch[(kk + 1) * n + i];
                if (kk == 1)
                    a += wdd[c] * h[0];
                if (kk == 2)
                    a += wdd[2 + c] * h[0] + wdd[4 + c] * h[1];
                h[kk] = f(a);
                e += wtop[kk * C + c] * h[kk];
            }
            if (act == DW_ACT_RELU && e < 0)
                e = 0;
            QVERIFY2(std::fabs(y[i] - e) < 1e-6,
                     qPrintable(QString("c %1 p %2: %3 vs %4").arg(c).arg(p).arg(y[i]).arg(e)));
        }
    }
    // In place (output aliases z) gives the same numbers.
    std::vector<float> copy = scratch;
    QCOMPARE(dw_layer_run(&l, copy.data(), copy.data(),
                          reinterpret_cast<unsigned char*>(copy.data())),
             int(DW_OK));
    for (int i = 0; i < n; ++i)
        QCOMPARE(copy[i], y[i]);
}

void TestRuntimeNn::activations_data()
{
    QTest::addColumn<int>("act");
    QTest::addColumn<float>("x");
    QTest::addColumn<double>("expected");
    QTest::newRow("sigmoid 0") << int(DW_ACT_SIGMOID) << 0.f << 0.5;
    QTest::newRow("sigmoid 2") << int(DW_ACT_SIGMOID) << 2.f << sigmoid(2);
    QTest::newRow("sigmoid -80") << int(DW_ACT_SIGMOID) << -80.f << sigmoid(-80);
    QTest::newRow("tanh 0.3") << int(DW_ACT_TANH) << 0.3f << std::tanh(0.3);
    QTest::newRow("tanh -1e-4") << int(DW_ACT_TANH) << -1e-4f << std::tanh(-1e-4);
    QTest::newRow("tanh 40") << int(DW_ACT_TANH) << 40.f << 1.0;
    QTest::newRow("tanh -40") << int(DW_ACT_TANH) << -40.f << -1.0;
    QTest::newRow("relu -1") << int(DW_ACT_RELU) << -1.f << 0.0;
}

void TestRuntimeNn::activations()
{
    QFETCH(int, act);
    QFETCH(float, x);
    QFETCH(double, expected);
    dw_layer l = blank(DW_OP_ACT);
    shape(l, 1, 1, 1, 1, 1, 1);
    l.act = act;
    float y = -99;
    QCOMPARE(dw_layer_run(&l, &x, &y, nullptr), int(DW_OK));
    QVERIFY2(std::fabs(y - expected) < 1e-7, qPrintable(QString::number(y)));
}

void TestRuntimeNn::quantizeMultiplier_data()
{
    QTest::addColumn<double>("m");
    QTest::newRow("0.5") << 0.5;
    QTest::newRow("0.0123") << 0.0123;
    QTest::newRow("1e-6") << 1e-6;
    QTest::newRow("0.999999999") << 0.999999999;
    QTest::newRow("3.75") << 3.75;
}

void TestRuntimeNn::quantizeMultiplier()
{
    QFETCH(double, m);
    int32_t mult = 0, shift = 0;
    dw_quantize_multiplier(m, &mult, &shift);
    QVERIFY(mult >= (1 << 30));
    const double back = double(mult) * std::ldexp(1.0, shift - 31);
    QVERIFY2(std::fabs(back - m) / m < 1e-9, qPrintable(QString::number(back, 'g', 12)));
    // requantize(1000) == round(1000 m)
    QCOMPARE(dw_requantize(1000, mult, shift), int32_t(std::lround(1000 * m)));
}

void TestRuntimeNn::requantizeRounds()
{
    int32_t mult = 0, shift = 0;
    dw_quantize_multiplier(0.5, &mult, &shift);
    QCOMPARE(dw_requantize(3, mult, shift), 2);   // 1.5 -> 2 (half away from zero)
    QCOMPARE(dw_requantize(-3, mult, shift), -2); // -1.5 -> -2
    QCOMPARE(dw_requantize(2, mult, shift), 1);
    QCOMPARE(dw_requantize(0, mult, shift), 0);
    QCOMPARE(dw_requantize(123, 0, 0), 0);
    dw_quantize_multiplier(0.0, &mult, &shift);
    QCOMPARE(mult, 0);
    QCOMPARE(int(dw_quantize_value(1.26f, 0.1f, 3)), 16);   // 12.6 -> 13, + 3
    QCOMPARE(int(dw_quantize_value(-1000.f, 0.1f, 0)), -128); // saturates
    QCOMPARE(int(dw_quantize_value(1000.f, 0.1f, 0)), 127);
    QCOMPARE(int(dw_quantize_value(NAN, 0.1f, 0)), -128);
}

void TestRuntimeNn::int8ConvHandComputed()
{
    // x real = 0.5 * (q - 2): q = {4, 2, 0, 6} -> {1, 0, -1, 2}
    const int8_t x[4] = {4, 2, 0, 6};
    // w real = 0.25 * q: q = {4, -4, 8} -> {1, -1, 2}; bias real 0.5 -> 0.5 / (0.5*0.25) = 4
    const int8_t w[3] = {4, -4, 8};
    const int32_t b[1] = {4};
    // y real, padding 1: t0: 0*1 + 1*(-1) + 0*2 + .5 = -0.5; t1: 1 - 0 - 2 + .5 = -0.5;
    //                    t2: 0 + 1 + 4 + .5 = 5.5;  t3: -1 - 2 + 0 + .5 = -2.5
    // out scale 0.1, zp -10: q = real / 0.1 - 10 -> -15, -15, 45, -35
    int32_t mult = 0, shift = 0;
    dw_quantize_multiplier(0.5 * 0.25 / 0.1, &mult, &shift);
    dw_layer l = blank(DW_OP_CONV_Q);
    shape(l, 1, 1, 4, 1, 1, 4);
    l.k_h = 1;
    l.k_w = 3;
    l.s_h = l.s_w = 1;
    l.p_w = 1;
    l.weight = w;
    l.bias = b;
    l.mult = &mult;
    l.shift = &shift;
    l.in_scale = 0.5f;
    l.in_zp = 2;
    l.out_scale = 0.1f;
    l.out_zp = -10;
    int8_t y[4] = {};
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    QCOMPARE(int(y[0]), -15);
    QCOMPARE(int(y[1]), -15);
    QCOMPARE(int(y[2]), 45);
    QCOMPARE(int(y[3]), -35);
    l.act = DW_ACT_RELU; // clamps at the output zero point (real 0)
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    QCOMPARE(int(y[0]), -10);
    QCOMPARE(int(y[2]), 45);
    QCOMPARE(int(y[3]), -10);
    // Missing requant tables are refused, not dereferenced.
    l.mult = nullptr;
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_ERR_ARG));
}

void TestRuntimeNn::int8LinearAndDendrite()
{
    // Linear: x real = 0.1 * q (zp 0), W real = 0.01 * q; y = W x, out scale 0.05 zp 5
    const int8_t x[2] = {10, -20};                 // 1, -2
    const int8_t w[4] = {100, 50, -100, 0};        // [1, .5; -1, 0]
    const int32_t b[2] = {0, 500};                 // 0; 0.5 / (0.1 * 0.01)
    int32_t mult[2], shift[2];
    dw_quantize_multiplier(0.1 * 0.01 / 0.05, &mult[0], &shift[0]);
    mult[1] = mult[0];
    shift[1] = shift[0];
    dw_layer l = blank(DW_OP_LINEAR_Q);
    shape(l, 2, 1, 1, 2, 1, 1);
    l.weight = w;
    l.bias = b;
    l.mult = mult;
    l.shift = shift;
    l.in_scale = 0.1f;
    l.out_scale = 0.05f;
    l.out_zp = 5;
    int8_t y[2] = {};
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    QCOMPARE(int(y[0]), 5);          // 1 - 1 = 0 -> zp
    QCOMPARE(int(y[1]), -5);         // -1 + .5 = -.5 -> -10 + 5
    l.act = DW_ACT_RELU;
    QCOMPARE(dw_layer_run(&l, x, y, nullptr), int(DW_OK));
    QCOMPARE(int(y[1]), 5);

    // Dendrite combine, int8 in and out, one channel, K = 1, sigmoid:
    // z real = 0.1 * (q - 1), a real = 0.2 * (q + 3), Wtop = 2; y = z + 2 sigmoid(a)
    // out scale 0.05, zp -20.
    alignas(4) int8_t scratch[8] = {11, -3, 0, 0, 2, 0, 0, 0}; // z at 0 (2 values), a at 4
    const int branch[1] = {4};
    const float wtop[1] = {2.0f};
    const float bscale[1] = {0.2f};
    const int bzp[1] = {-3};
    dw_layer d = blank(DW_OP_DENDRITE_Q);
    shape(d, 1, 1, 2, 1, 1, 2);
    d.n_dendrites = 1;
    d.dact = DW_ACT_SIGMOID;
    d.branch = branch;
    d.wtop = wtop;
    d.branch_scale = bscale;
    d.branch_zp = bzp;
    d.in_scale = 0.1f;
    d.in_zp = 1;
    d.out_scale = 0.05f;
    d.out_zp = -20;
    int8_t dy[2] = {};
    QCOMPARE(dw_layer_run(&d, scratch, dy, reinterpret_cast<unsigned char*>(scratch)), int(DW_OK));
    // p0: z = 1.0, a = 0.2 * 5 = 1.0 -> 1 + 2 sigmoid(1) = 2.4621 -> 49.24 -> 49 - 20 = 29
    // p1: z = -0.4, a = 0.2 * 3 = 0.6 -> -0.4 + 2 sigmoid(0.6) = 0.8913 -> 17.83 -> 18 - 20 = -2
    QCOMPARE(int(dy[0]), int(std::lround((1.0 + 2 * sigmoid(1.0)) / 0.05)) - 20);
    QCOMPARE(int(dy[0]), 29);
    QCOMPARE(int(dy[1]), -2);
}

// Every conv/linear/max-pool kernel (the SSE2 ones on x86-64: stride-1 rows, strided columns,
// 2-wide pool; the portable loops for layers too large for their stack buffers) against a naive
// loop written here: int8 bit-exact, float to rounding. Shapes pick each path; values random.
void TestRuntimeNn::layersMatchNaiveReference_data()
{
    QTest::addColumn<int>("op");
    QTest::addColumn<QVector<int>>("s"); // ic ih iw oc kh kw sh sw ph pw
    using V = QVector<int>;
    const struct
    {
        const char* name;
        V s;
    } shapes[] = {
        {"ei1d layer 1 (rows)", {13, 1, 50, 8, 1, 3, 1, 1, 0, 1}},
        {"ei1d layer 2 (rows, odd width)", {8, 1, 25, 16, 1, 3, 1, 1, 0, 1}},
        {"1-D stride 2 (columns)", {5, 1, 31, 6, 1, 4, 1, 2, 0, 1}},
        {"2-D 3x3 pad 1 (rows)", {3, 7, 9, 5, 3, 3, 1, 1, 1, 1}},
        {"2-D stride 2 (columns)", {4, 9, 11, 3, 3, 3, 2, 2, 1, 1}},
        {"K 300 stride 1 (columns)", {100, 1, 20, 7, 1, 3, 1, 1, 0, 1}},
        {"K 560 (portable loops)", {80, 1, 12, 5, 1, 7, 1, 1, 0, 3}},
        {"long row, one channel", {1, 1, 700, 1, 1, 5, 1, 1, 0, 2}},
    };
    for (const auto& sh : shapes) {
        QTest::newRow((std::string("int8 ") + sh.name).c_str()) << int(DW_OP_CONV_Q) << sh.s;
        QTest::newRow((std::string("float ") + sh.name).c_str()) << int(DW_OP_CONV2D) << sh.s;
    }
    for (int n : {13, 208, 1000}) {
        QTest::newRow(("int8 linear " + std::to_string(n)).c_str())
            << int(DW_OP_LINEAR_Q) << V{n, 1, 1, 12, 1, 1, 1, 1, 0, 0};
    }
    QTest::newRow("int8 pool 2/2 odd width")
        << int(DW_OP_MAXPOOL_Q) << V{5, 1, 37, 5, 1, 2, 1, 2, 0, 0};
    QTest::newRow("float pool 2/2 odd width")
        << int(DW_OP_MAXPOOL) << V{5, 1, 37, 5, 1, 2, 1, 2, 0, 0};
}

void TestRuntimeNn::layersMatchNaiveReference()
{
    QFETCH(int, op);
    QFETCH(QVector<int>, s);
    std::mt19937 rng(uint32_t(op * 7919 + s[0] * 31 + s[2]));
    auto uni = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    dw_layer l = blank(op);
    const bool pool = op == DW_OP_MAXPOOL || op == DW_OP_MAXPOOL_Q;
    const bool linear = op == DW_OP_LINEAR_Q;
    const bool q = op != DW_OP_CONV2D && op != DW_OP_MAXPOOL;
    l.k_h = s[4];
    l.k_w = s[5];
    l.s_h = s[6];
    l.s_w = s[7];
    l.p_h = s[8];
    l.p_w = s[9];
    const int oh = linear ? 1 : (s[1] + 2 * l.p_h - l.k_h) / l.s_h + 1;
    int ow = linear ? 1 : (s[2] + 2 * l.p_w - l.k_w) / l.s_w + 1;
    if (pool && (ow - 1) * l.s_w + l.k_w < s[2])
        ++ow; // ceil mode: the last window is clipped at the edge
    shape(l, s[0], s[1], s[2], pool ? s[0] : s[3], oh, ow);
    const int K = linear ? s[0] : s[0] * l.k_h * l.k_w;
    const int nin = s[0] * s[1] * s[2], nout = l.out_c * oh * ow;
    for (int trial = 0; trial < 12; ++trial) {
        std::vector<int8_t> xq(static_cast<size_t>(nin));
        std::vector<int8_t> wq(static_cast<size_t>(l.out_c) * static_cast<size_t>(K));
        std::vector<float> xf(xq.size()), wf(wq.size()), bf(static_cast<size_t>(l.out_c));
        std::vector<int32_t> bq(bf.size()), mult(bf.size()), shift(bf.size());
        for (size_t i = 0; i < xq.size(); ++i) {
            xq[i] = int8_t(uni(-128, 127));
            xf[i] = float(uni(-1000, 1000)) / 77.0f;
        }
        for (size_t i = 0; i < wq.size(); ++i) {
            wq[i] = int8_t(uni(-127, 127));
            wf[i] = float(uni(-1000, 1000)) / 313.0f;
        }
        for (int c = 0; c < l.out_c; ++c) {
            bq[size_t(c)] = uni(-200000, 200000);
            bf[size_t(c)] = float(uni(-1000, 1000)) / 97.0f;
            // Real multipliers from 1e-6 to ~20 (some saturate), and one channel of zero.
            const double m = c == 1 ? 0.0 : std::ldexp(double(uni(1, 1000)) * 1e-3, uni(-20, 4));
            dw_quantize_multiplier(m, &mult[size_t(c)], &shift[size_t(c)]);
        }
        l.act = trial % 2 ? DW_ACT_RELU : DW_ACT_NONE;
        l.in_zp = uni(-128, 127);
        l.out_zp = uni(-128, 127);
        l.in_scale = l.out_scale = 0.1f;
        l.weight = q ? static_cast<const void*>(wq.data()) : wf.data();
        l.bias = trial % 3 == 2 ? nullptr : q ? static_cast<const void*>(bq.data()) : bf.data();
        l.mult = mult.data();
        l.shift = shift.data();
        std::vector<int8_t> yq(size_t(nout), 0x55);
        std::vector<float> yf(size_t(nout), 1234.0f);
        QCOMPARE(dw_layer_run(&l, q ? static_cast<const void*>(xq.data()) : xf.data(),
                              q ? static_cast<void*>(yq.data()) : yf.data(), nullptr),
                 int(DW_OK));
        for (int c = 0; c < l.out_c; ++c)
            for (int i = 0; i < oh; ++i)
                for (int j = 0; j < ow; ++j) {
                    const size_t at = (size_t(c) * size_t(oh) + size_t(i)) * size_t(ow) + size_t(j);
                    if (pool) { // window clipped to the input
                        int mq = -128;
                        float mf = -3.402823466e38f;
                        for (int r = i * l.s_h - l.p_h; r < i * l.s_h - l.p_h + l.k_h; ++r)
                            for (int t = j * l.s_w - l.p_w; t < j * l.s_w - l.p_w + l.k_w; ++t)
                                if (r >= 0 && r < s[1] && t >= 0 && t < s[2]) {
                                    const size_t xi =
                                        (size_t(c) * size_t(s[1]) + size_t(r)) * size_t(s[2]) +
                                        size_t(t);
                                    mq = std::max(mq, int(xq[xi]));
                                    mf = std::max(mf, xf[xi]);
                                }
                        if (q)
                            QCOMPARE(int(yq[at]), mq);
                        else
                            QCOMPARE(yf[at], mf);
                        continue;
                    }
                    int64_t acc = l.bias ? bq[size_t(c)] : 0;
                    double accf = l.bias ? bf[size_t(c)] : 0.0;
                    for (int ic = 0; ic < s[0]; ++ic)
                        for (int kh = 0; kh < l.k_h; ++kh)
                            for (int kw = 0; kw < l.k_w; ++kw) {
                                const int r = i * l.s_h - l.p_h + kh, t = j * l.s_w - l.p_w + kw;
                                if (r < 0 || r >= s[1] || t < 0 || t >= s[2])
                                    continue; // padding: a real zero
                                const size_t xi =
                                    (size_t(ic) * size_t(s[1]) + size_t(r)) * size_t(s[2]) +
                                    size_t(t);
                                const size_t wi =
                                    size_t(c) * size_t(K) +
                                    (size_t(ic) * size_t(l.k_h) + size_t(kh)) * size_t(l.k_w) +
                                    size_t(kw);
                                acc += int64_t(wq[wi]) * (int64_t(xq[xi]) - l.in_zp);
                                accf += double(wf[wi]) * double(xf[xi]);
                            }
                    if (q) {
                        const int64_t r =
                            l.out_zp +
                            int64_t(dw_requantize(int32_t(acc), mult[size_t(c)], shift[size_t(c)]));
                        const int64_t lo = l.act == DW_ACT_RELU ? std::max(l.out_zp, -128) : -128;
                        QCOMPARE(int(yq[at]), int(std::clamp<int64_t>(r, lo, 127)));
                    } else {
                        if (l.act == DW_ACT_RELU)
                            accf = std::max(accf, 0.0);
                        QVERIFY2(std::fabs(double(yf[at]) - accf) <= 1e-4 * (1.0 + std::fabs(accf)),
                                 qPrintable(QString("float %1 vs %2").arg(yf[at]).arg(accf)));
                    }
                }
    }
}

void TestRuntimeNn::graphRunsInOrder()
{
    // features [frames 4][coeffs 2] -> transpose [2][4] -> conv1d 2->1 k1 -> relu -> maxpool 2
    // -> linear 2->2 -> softmax. Offsets: A at 0 (8 floats), B at 32 (8 floats).
    const float cw[2] = {1.0f, -1.0f}; // y[t] = c0[t] - c1[t]
    const float cb[1] = {0.0f};
    const float lw[4] = {1, 0, 0, 1};
    const float lb[2] = {0, 0};
    std::vector<dw_layer> t;
    dw_layer tr = blank(DW_OP_TRANSPOSE);
    shape(tr, 1, 4, 2, 1, 2, 4);
    tr.in = 0;
    tr.out = 32;
    t.push_back(tr);
    dw_layer cv = blank(DW_OP_CONV1D);
    shape(cv, 2, 1, 4, 1, 1, 4);
    cv.k_h = cv.k_w = cv.s_h = cv.s_w = 1;
    cv.weight = cw;
    cv.bias = cb;
    cv.in = 32;
    cv.out = 0;
    t.push_back(cv);
    dw_layer re = blank(DW_OP_RELU);
    shape(re, 1, 1, 4, 1, 1, 4);
    re.in = re.out = 0;
    t.push_back(re);
    dw_layer mp = blank(DW_OP_MAXPOOL);
    shape(mp, 1, 1, 4, 1, 1, 2);
    mp.k_h = mp.s_h = 1;
    mp.k_w = mp.s_w = 2;
    mp.in = 0;
    mp.out = 32;
    t.push_back(mp);
    dw_layer li = blank(DW_OP_LINEAR);
    shape(li, 2, 1, 1, 2, 1, 1);
    li.weight = lw;
    li.bias = lb;
    li.in = 32;
    li.out = 0;
    t.push_back(li);
    dw_layer sm = blank(DW_OP_SOFTMAX);
    shape(sm, 2, 1, 1, 2, 1, 1);
    sm.in = 0;
    sm.out = 8;
    t.push_back(sm);
    dw_model m{t.data(), int(t.size()), 0, 8, 8, 2, 64};
    QCOMPARE(dw_model_check(&m), int(DW_OK));
    // frames: (c0, c1) = (3,1) (0,2) (5,0) (1,1) -> conv 2 -2 5 0 -> relu 2 0 5 0 -> pool 2 5
    const float in[8] = {3, 1, 0, 2, 5, 0, 1, 1};
    float scratch[16];
    float out[2] = {};
    int calls = 0;
    auto hook = [](int, const dw_layer*, const unsigned char*, void* user) {
        ++*static_cast<int*>(user);
    };
    QCOMPARE(dw_model_run_hooked(&m, scratch, in, out, hook, &calls), int(DW_OK));
    QCOMPARE(calls, 6);
    const double e = std::exp(-3.0);
    QVERIFY(std::fabs(out[0] - e / (1 + e)) < 1e-6);
    QVERIFY(std::fabs(out[1] - 1 / (1 + e)) < 1e-6);
}

void TestRuntimeNn::brokenTablesAreRefused()
{
    const float w[1] = {1};
    dw_layer l = blank(DW_OP_LINEAR);
    shape(l, 1, 1, 1, 1, 1, 1);
    l.weight = w;
    l.out = 64; // outside a 16-byte scratch
    dw_model m{&l, 1, 0, 1, 0, 1, 16};
    float scratch[4];
    float in = 1, out = 0;
    QCOMPARE(dw_model_run(&m, scratch, &in, &out), int(DW_ERR_SCRATCH));
    l.out = 0;
    QCOMPARE(dw_model_run(&m, scratch, &in, &out), int(DW_OK));
    l.op = 99;
    QCOMPARE(dw_model_run(&m, scratch, &in, &out), int(DW_ERR_OP));
    l.op = DW_OP_CONV2D;
    l.k_h = l.k_w = 3; // a 3x3 kernel cannot give 1x1 from 1x1 without padding
    l.s_h = l.s_w = 1;
    QCOMPARE(dw_model_run(&m, scratch, &in, &out), int(DW_ERR_SHAPE));
    QCOMPARE(dw_model_run(nullptr, scratch, &in, &out), int(DW_ERR_ARG));
    QCOMPARE(dw_model_run(&m, nullptr, &in, &out), int(DW_ERR_ARG));
    QVERIFY(std::strlen(dw_status_text(DW_ERR_SCRATCH)) > 10);
}

void TestRuntimeNn::macCounts()
{
    dw_layer c = blank(DW_OP_CONV1D);
    shape(c, 13, 1, 50, 8, 1, 50);
    c.k_h = 1;
    c.k_w = 3;
    QCOMPARE(dw_layer_macs(&c), 50L * 8 * 13 * 3);
    dw_layer l = blank(DW_OP_LINEAR);
    shape(l, 192, 1, 1, 3, 1, 1);
    QCOMPARE(dw_layer_macs(&l), 576L);
    dw_layer d = blank(DW_OP_DENDRITE);
    shape(d, 3, 1, 1, 3, 1, 1);
    d.n_dendrites = 3;
    QCOMPARE(dw_layer_macs(&d), 3L * (3 + 3));
}

QTEST_APPLESS_MAIN(TestRuntimeNn)
#include "test_runtime_nn.moc"
