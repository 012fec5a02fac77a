// SPDX-License-Identifier: GPL-3.0-or-later
// SpscRing: capacity rounding, wrap-around, and a two-thread stress test that checks every
// sample arrives in order and that overruns are counted exactly.
#include "dw/audio/ring.h"

#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

using dw::audio::SpscRing;

class TestRing : public QObject
{
    Q_OBJECT

private slots:
    void capacityIsPowerOfTwo_data()
    {
        QTest::addColumn<int>("requested");
        QTest::addColumn<int>("expected");
        QTest::newRow("1") << 1 << 1;
        QTest::newRow("3") << 3 << 4;
        QTest::newRow("1000") << 1000 << 1024;
        QTest::newRow("1024") << 1024 << 1024;
        QTest::newRow("1025") << 1025 << 2048;
    }
    void capacityIsPowerOfTwo()
    {
        QFETCH(int, requested);
        QFETCH(int, expected);
        SpscRing<float> r{size_t(requested)};
        QCOMPARE(int(r.capacity()), expected);
    }

    void wrapAroundKeepsOrder()
    {
        SpscRing<int> r(8);
        std::vector<int> out(8);
        int next = 0, expect = 0;
        for (int round = 0; round < 50; ++round) {
            const int n = 1 + round % 7;
            std::vector<int> in(static_cast<size_t>(n));
            for (auto& v : in)
                v = next++;
            QCOMPARE(int(r.push(in.data(), in.size())), n);
            const size_t got = r.pop(out.data(), out.size());
            QCOMPARE(int(got), n);
            for (size_t i = 0; i < got; ++i)
                QCOMPARE(out[i], expect++);
        }
        QCOMPARE(r.overruns(), uint64_t(0));
    }

    void fullRingCountsOverruns()
    {
        SpscRing<int> r(16);
        std::vector<int> in(20, 7);
        QCOMPARE(int(r.pushDropping(in.data(), in.size())), 16);
        QCOMPARE(r.overruns(), uint64_t(4));
        QCOMPARE(int(r.pushDropping(in.data(), 3)), 0);
        QCOMPARE(r.overruns(), uint64_t(7));
        std::vector<int> out(4);
        QCOMPARE(int(r.pop(out.data(), 4)), 4);
        QCOMPARE(int(r.readAvailable()), 12);
        QCOMPARE(int(r.pop(out.data(), 0)), 0);
    }

    // One producer, one consumer, millions of samples. The consumer checks the sequence: every
    // sample it receives is the next one the producer managed to push (a gap is allowed only
    // where the producer counted a drop), and pushed + dropped == produced.
    void stress_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<int>("block");
        QTest::addColumn<bool>("slowConsumer");
        QTest::newRow("fast consumer") << 4096 << 256 << false;
        QTest::newRow("odd blocks") << 1024 << 97 << false;
        QTest::newRow("slow consumer (overruns)") << 512 << 128 << true;
    }
    void stress()
    {
        QFETCH(int, capacity);
        QFETCH(int, block);
        QFETCH(bool, slowConsumer);
        constexpr uint32_t kTotal = 4'000'000;
        SpscRing<uint32_t> ring{size_t(capacity)};
        std::atomic<bool> done{false};
        std::atomic<uint64_t> accepted{0};
        // Each value the producer writes is the index of the sample in the producer's stream;
        // dropped samples are skipped, so the consumer must see strictly increasing values and
        // the number of missing values must equal the overrun count.
        std::thread producer([&] {
            std::vector<uint32_t> buf(static_cast<size_t>(block));
            uint32_t v = 0;
            uint64_t ok = 0;
            while (v < kTotal) {
                const size_t n = std::min<size_t>(size_t(block), kTotal - v);
                for (size_t i = 0; i < n; ++i)
                    buf[i] = v + uint32_t(i);
                if (slowConsumer) {
                    // Like an audio callback: what does not fit is lost and counted.
                    ok += ring.pushDropping(buf.data(), n);
                } else {
                    // Lossless producer: retries until the consumer made room.
                    size_t w = 0;
                    while (w < n) {
                        w += ring.push(buf.data() + w, n - w);
                        if (w < n)
                            std::this_thread::yield();
                    }
                    ok += w;
                }
                v += uint32_t(n);
            }
            accepted.store(ok);
            done.store(true, std::memory_order_release);
        });
        std::vector<uint32_t> out(777);
        uint64_t received = 0;
        int64_t last = -1;
        bool ordered = true;
        uint64_t gaps = 0; // values skipped in the sequence: must equal the overruns
        uint64_t spins = 0;
        for (;;) {
            const bool finished = done.load(std::memory_order_acquire);
            const size_t got = ring.pop(out.data(), out.size());
            for (size_t i = 0; i < got; ++i) {
                if (int64_t(out[i]) <= last)
                    ordered = false;
                else
                    gaps += uint64_t(int64_t(out[i]) - last - 1);
                last = out[i];
            }
            received += got;
            if (got == 0 && finished)
                break;
            if (slowConsumer && (++spins % 4) == 0)
                std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
        producer.join();
        gaps += uint64_t(int64_t(kTotal) - 1 - last);
        QVERIFY2(ordered, "samples arrived out of order");
        QCOMPARE(received, accepted.load());
        QCOMPARE(received + ring.overruns(), uint64_t(kTotal));
        QCOMPARE(gaps, ring.overruns());
        if (!slowConsumer)
            QCOMPARE(received, uint64_t(kTotal));
        else
            QVERIFY2(ring.overruns() > 0, "a slow consumer must cause counted overruns");
        qInfo("%s: received %llu, overruns %llu", QTest::currentDataTag(),
              static_cast<unsigned long long>(received),
              static_cast<unsigned long long>(ring.overruns()));
    }
};

QTEST_GUILESS_MAIN(TestRing)
#include "test_ring.moc"
