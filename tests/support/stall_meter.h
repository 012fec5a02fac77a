// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How long the GUI thread was kept from its event loop. A 5 ms probe timer on that thread: its
// CPU time between two ticks is the longest span of work that blocked the event loop (robust when
// other threads or processes of a busy 2-core machine run); wall-clock gaps are kept too (they
// also hold the time the scheduler gave to others). Construct it where measuring starts.
#include <QtCore/QElapsedTimer>
#include <QtCore/QString>
#include <QtCore/QTimer>

#include <algorithm>
#include <ctime>
#include <functional>
#include <vector>

namespace dw::test {

inline qint64 threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct StallMeter
{
    QTimer timer;
    QElapsedTimer clock;
    qint64 lastWall = -1, lastCpu = 0;
    qint64 worstWallNs = 0, worstCpuNs = 0;
    std::vector<qint64> wallGaps;   // every gap between two ticks, in order
    std::function<QString()> where; // what the page showed when the longest span ended
    QString worstAt;

    StallMeter()
    {
        timer.setTimerType(Qt::PreciseTimer);
        timer.setInterval(5);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            if (lastWall >= 0) {
                wallGaps.push_back(now - lastWall);
                worstWallNs = std::max(worstWallNs, now - lastWall);
                if (cpu - lastCpu > worstCpuNs) {
                    worstCpuNs = cpu - lastCpu;
                    if (where)
                        worstAt = where();
                }
            }
            lastWall = now;
            lastCpu = cpu;
        });
        clock.start();
        timer.start();
    }
    void stop() { timer.stop(); }
    double worstCpuMs() const { return double(worstCpuNs) / 1e6; }
    double worstWallMs() const { return double(worstWallNs) / 1e6; }
    double wallPercentileMs(int percent) const
    {
        if (wallGaps.empty())
            return 0.0;
        std::vector<qint64> g = wallGaps;
        std::sort(g.begin(), g.end());
        return double(g[g.size() * size_t(percent) / 100]) / 1e6;
    }
};

} // namespace dw::test
