// SPDX-License-Identifier: GPL-3.0-or-later
// GUI frame rates (offscreen, timed repaint), target >= 30 frames per second:
//  - the live training plot (RunPlots) holding 10,000 epochs (20 neuron/dendrite cycles, seven
//    panels): per frame one more epoch arrives, the plot replots and the widget is rendered;
//  - the live recording waveform (WaveformView, 6 s window at 16 kHz): per frame 1/30 s of
//    audio arrives, the view replots and is rendered.
// A frame's time is this thread's CPU time (the GUI thread does all the work; on a shared
// machine wall time mostly measures the wait for a core); the figure is the median of rounds.
//   bench_gui [--frames N]      (DW_BENCH_GUI_SHOT=FILE.png saves the timed training plot)
#include "dw/core/training.h"
#include "dw/ui/run_plots.h"
#include "dw/ui/waveform_view.h"

#include <QApplication>
#include <QPixmap>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <vector>

namespace {

double cpuMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

// Median frames per second over `rounds` rounds of `frames` frames each.
double fps(int rounds, int frames, const std::function<void()>& frame)
{
    for (int i = 0; i < 3; ++i)
        frame(); // warm-up (first layout, font caches)
    std::vector<double> f;
    for (int r = 0; r < rounds; ++r) {
        const double t0 = cpuMs();
        for (int i = 0; i < frames; ++i)
            frame();
        f.push_back(1000.0 * frames / std::max(1e-3, cpuMs() - t0));
    }
    std::sort(f.begin(), f.end());
    return f[f.size() / 2];
}

dw::EpochRecord epoch(int e)
{
    dw::EpochRecord r;
    r.epoch = e;
    // A long cc run: 400 neuron epochs then 100 dendrite epochs, twenty times over.
    r.phase = e % 500 >= 400 ? 'P' : 'N';
    r.dendrites = {e / 500};
    r.params = 3228 + 2520 * (e / 500);
    r.train_accuracy = 0.9 - 0.5 * std::exp(-e / 300.0) + 0.01 * std::sin(e * 0.7);
    r.val_accuracy = r.train_accuracy - 0.05;
    r.test_accuracy = r.val_accuracy + 0.01;
    r.train_loss = 1.0 - r.train_accuracy;
    r.val_loss = r.train_loss + 0.05;
    r.lr = 0.005 / (1 + e / 1000);
    r.seconds = 0.7;
    if (r.phase == 'P')
        r.candidate_scores = {0.2 + 0.1 * std::sin(e * 0.1)};
    return r;
}

void result(const char* name, const char* what, double f)
{
    std::printf("RESULT name=%s what=\"%s\" ours=\"%.1f fps\" peer=n/a ratio=n/a "
                "target=\">= 30 fps\" status=%s\n",
                name, what, f, f >= 30 ? "met" : "BELOW_TARGET");
}

} // namespace

int main(int argc, char** argv)
{
    if (std::getenv("QT_QPA_PLATFORM") == nullptr)
        ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    int frames = 20;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--frames") == 0)
            frames = std::max(1, std::atoi(argv[i + 1]));
    QApplication app(argc, argv);

    dw::ui::RunPlots plots;
    plots.resize(1400, 880);
    int e = 1;
    for (; e <= 10000; ++e)
        plots.appendEpoch(epoch(e));
    plots.show();
    QApplication::processEvents();
    const double plotFps = fps(5, frames, [&] {
        plots.appendEpoch(epoch(e++));
        plots.customPlot()->replot(QCustomPlot::rpImmediateRefresh);
        QPixmap p = plots.grab();
        (void)p;
    });
    if (const char* shot = std::getenv("DW_BENCH_GUI_SHOT")) // to look at what was timed
        plots.grab().save(QString::fromLocal8Bit(shot));
    std::printf("training plot, %d epochs x 7 panels, 1400x880: %.1f fps\n", e - 1, plotFps);
    result("gui_training_plot_fps", "GUI: live training plot with 10,000 epochs (offscreen)",
           plotFps);

    dw::ui::WaveformView wave;
    wave.resize(1200, 300);
    wave.setSampleRate(16000);
    wave.setLive(true, 6.0);
    std::vector<int16_t> chunk(16000 / 30);
    long n = 0;
    auto fill = [&] {
        for (auto& s : chunk) {
            s = int16_t(8000 * std::sin(0.05 * double(n)) * std::sin(0.0003 * double(n)));
            ++n;
        }
    };
    for (int i = 0; i < 6 * 30; ++i) {
        fill();
        wave.appendSamples(chunk);
    }
    wave.show();
    QApplication::processEvents();
    const double waveFps = fps(5, frames, [&] {
        fill();
        wave.appendSamples(chunk);
        wave.replot(QCustomPlot::rpImmediateRefresh);
        QPixmap p = wave.grab();
        (void)p;
    });
    std::printf("recording waveform, 6 s live window, 1200x300: %.1f fps\n", waveFps);
    result("gui_waveform_fps", "GUI: live recording waveform, 6 s window (offscreen)", waveFps);
    return 0;
}
