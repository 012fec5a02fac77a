// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite plot RUN --out FILE.png|FILE.pdf`: the run's figure (phases, additions, loss, learning
// rate, candidate scores, params) rendered offscreen with the GUI's own RunPlots widget.
// `dendrite plot RUN RUN ... --out FILE.png` (or a `dendrite compare` folder) renders the GUI's
// compare view instead: validation curves, params vs test accuracy, differences table.
// Only Qt/ui/core public headers here (never torch).
#include "cli.h"

#include "dw/core/run_record.h"

#ifdef DW_HAVE_UI
#include "dw/ui/compare_view.h"
#include "dw/ui/phase_timeline.h"
#include "dw/ui/plot_style.h"
#include "dw/ui/run_plots.h"

#include <QApplication>
#include <QPixmap>
#endif

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

namespace {

namespace fs = std::filesystem;

// The run folders a comparison is made of: every positional run, and for a folder written by
// `dendrite compare` (it has compare.csv), every run folder inside it, in name order.
std::vector<fs::path> expandRuns(const std::vector<std::string>& positional)
{
    std::vector<fs::path> runs;
    for (const auto& p : positional) {
        std::error_code ec;
        if (!fs::exists(fs::path(p) / "compare.csv", ec)) {
            runs.emplace_back(p);
            continue;
        }
        std::vector<fs::path> inner;
        for (const auto& e : fs::directory_iterator(p, ec))
            if (e.is_directory() && fs::exists(e.path() / "events.jsonl", ec))
                inner.push_back(e.path());
        std::sort(inner.begin(), inner.end());
        runs.insert(runs.end(), inner.begin(), inner.end());
    }
    return runs;
}

#ifdef DW_HAVE_UI
// The phases under the figure, as text: where each began and ended, and why it ended; for
// P-phases also the candidates' last learning rate and normalised correlation.
void printPhases(const dw::RunRecord& rec)
{
    const auto spans = dw::ui::phaseSpans(rec.epochs, rec.switches);
    std::printf("%-11s %-10s %7s  %-14s %-20s %s\n", "phase", "epochs", "length", "ended by",
                "then", "P: last lr, correlation");
    for (const auto& sp : spans) {
        std::string extra;
        if (sp.phase == 'P') {
            for (const auto& e : rec.epochs) {
                if (e.epoch != sp.lastEpoch)
                    continue;
                char buf[96];
                double corr = -1;
                for (double c : e.candidate_correlations)
                    corr = std::max(corr, c);
                if (corr >= 0)
                    std::snprintf(buf, sizeof buf, "%.2g, %.3f%s", e.lr, corr,
                                  corr < dw::kWeakCorrelation ? " (weak)" : "");
                else
                    std::snprintf(buf, sizeof buf, "%.2g", e.lr);
                extra = buf;
            }
        }
        const std::string range =
            std::to_string(sp.firstEpoch) + "-" + std::to_string(sp.lastEpoch);
        // Pad by characters, not bytes: the label's arrow is 3 bytes of UTF-8.
        std::string label = sp.label();
        size_t chars = 0;
        for (unsigned char c : label)
            chars += (c & 0xC0) != 0x80;
        label.append(chars < 11 ? 11 - chars : 0, ' ');
        std::printf("%s %-10s %7d  %-14s %-20s %s\n", label.c_str(), range.c_str(),
                    sp.lastEpoch - sp.firstEpoch + 1,
                    sp.endReason.empty() ? "-" : sp.endReason.c_str(),
                    sp.outcome.empty() ? "-" : sp.outcome.c_str(), extra.c_str());
    }
}

dw::Status renderCompare(const std::vector<dw::RunRecord>& runs, const std::string& out, int width,
                         int height)
{
    dw::ui::CompareView view;
    view.resize(width, height);
    view.setRuns(runs);
    view.ensurePolished();
    view.show(); // offscreen: lays the splitters and plots out at the final size
    QCoreApplication::processEvents();
    QPixmap pixmap = view.grab();
    // QPixmap::save writes the file directly; go through a temporary so it lands atomically.
    const fs::path target(out);
    const fs::path tmp = target.parent_path() / ("." + target.filename().string() + ".tmp.png");
    if (!pixmap.save(QString::fromStdString(tmp.string()), "PNG"))
        return dw::makeError("cannot write '" + tmp.string() + "'",
                             "check that the folder exists and is writable");
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec)
        return dw::makeError("cannot write '" + out + "': " + ec.message(),
                             "check that the folder is writable");
    return dw::Status::success();
}
#endif

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv);
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown({"out", "width", "height"}); !s)
        return dw::cli::report(s.error());
    if (args->positional().empty())
        return dw::cli::usageError("plot needs a run folder (or several, or a compare folder)",
                                   "dendrite plot PROJECT/runs/RUN --out figure.png");
    const auto out = args->get("out");
    if (!out)
        return dw::cli::usageError("plot needs --out FILE.png or FILE.pdf",
                                   "dendrite plot RUN --out figure.png");
    const auto runDirs = expandRuns(args->positional());
    const bool comparison = runDirs.size() > 1 || args->positional().size() > 1;
    auto width = args->getInt("width", 1500);
    if (!width)
        return dw::cli::report(width.error());
    auto height = args->getInt("height", 1050);
    if (!height)
        return dw::cli::report(height.error());
    if (*width < 200 || *width > 10000 || *height < 150 || *height > 10000)
        return dw::cli::usageError("figure size out of range",
                                   "use --width 200..10000 and --height 150..10000 pixels");
    std::vector<dw::RunRecord> records;
    for (const auto& runDir : runDirs) {
        auto rec = dw::readRun(runDir);
        if (!rec)
            return dw::cli::report(
                dw::makeError(rec.error().message, rec.error().hint, dw::cli::kBadInput));
        if (rec->epochs.empty())
            return dw::cli::report(
                dw::makeError("run '" + runDir.string() + "' has no epochs yet",
                              "wait until it finished its first epoch (events.jsonl), then plot it",
                              dw::cli::kBadInput));
        records.push_back(std::move(*rec));
    }
    if (records.empty())
        return dw::cli::report(dw::makeError("no runs found in " + args->positional()[0],
                                             "give run folders or a `dendrite compare` folder",
                                             dw::cli::kBadInput));
#ifdef DW_HAVE_UI
    // A GUI application only for the lifetime of this command; offscreen unless a display is
    // available, so it works on servers and in CI.
    std::unique_ptr<QApplication> app;
    if (!QCoreApplication::instance()) {
        if (!std::getenv("QT_QPA_PLATFORM") && !std::getenv("DISPLAY") &&
            !std::getenv("WAYLAND_DISPLAY"))
            setenv("QT_QPA_PLATFORM", "offscreen", 1);
        static int qargc = 1;
        static char qname[] = "dendrite";
        static char* qargv[] = {qname, nullptr};
        app = std::make_unique<QApplication>(qargc, qargv);
    }
    if (comparison) {
        if (fs::path(*out).extension() != ".png")
            return dw::cli::usageError("a comparison figure is written as PNG only",
                                       "use --out compare.png");
        if (auto s = renderCompare(records, *out, *width, *height); !s)
            return dw::cli::report(s.error());
        std::printf("wrote %s (comparison of %zu runs)\n", out->c_str(), records.size());
        return dw::cli::kOk;
    }
    const auto& rec = records.front();
    if (auto s = dw::ui::renderRunPlot(rec, *out, *width, *height); !s)
        return dw::cli::report(s.error());
    std::printf("wrote %s (%zu epochs, %zu switches)\n", out->c_str(), rec.epochs.size(),
                rec.switches.size());
    printPhases(rec);
    return dw::cli::kOk;
#else
    return dw::cli::report(dw::makeError("this dendrite was built without the GUI libraries",
                                         "rebuild with -DDW_BUILD_GUI=ON to render figures"));
#endif
}

} // namespace

DW_REGISTER_COMMAND(
    "plot", "plot RUN [RUN ...|COMPARE_DIR] --out FILE.png|FILE.pdf [--width PX] [--height PX]",
    "Render a run's training figure (phases, dendrites, loss, lr, scores), or a "
    "comparison of several runs.",
    run);
