// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite plot RUN --out FILE.png|FILE.pdf`: the run's figure (phases, additions, loss, learning
// rate, candidate scores, params) rendered offscreen with the GUI's own RunPlots widget.
// Only Qt/ui/core public headers here (never torch).
#include "cli.h"

#include "dw/core/run_record.h"

#ifdef DW_HAVE_UI
#include "dw/ui/plot_style.h"
#include "dw/ui/run_plots.h"

#include <QApplication>
#endif

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

namespace {

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv);
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown({"out", "width", "height"}); !s)
        return dw::cli::report(s.error());
    if (args->positional().size() != 1)
        return dw::cli::usageError("plot needs exactly one run folder",
                                   "dendrite plot PROJECT/runs/RUN --out figure.png");
    const auto out = args->get("out");
    if (!out)
        return dw::cli::usageError("plot needs --out FILE.png or FILE.pdf",
                                   "dendrite plot RUN --out figure.png");
    auto width = args->getInt("width", 1500);
    if (!width)
        return dw::cli::report(width.error());
    auto height = args->getInt("height", 1050);
    if (!height)
        return dw::cli::report(height.error());
    if (*width < 200 || *width > 10000 || *height < 150 || *height > 10000)
        return dw::cli::usageError("figure size out of range",
                                   "use --width 200..10000 and --height 150..10000 pixels");
    const std::filesystem::path runDir = args->positional()[0];
    auto rec = dw::readRun(runDir);
    if (!rec)
        return dw::cli::report(dw::makeError(rec.error().message, rec.error().hint,
                                             dw::cli::kBadInput));
    if (rec->epochs.empty())
        return dw::cli::report(dw::makeError(
            "run '" + runDir.string() + "' has no epochs yet",
            "wait until it finished its first epoch (events.jsonl), then plot it",
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
    if (auto s = dw::ui::renderRunPlot(*rec, *out, *width, *height); !s)
        return dw::cli::report(s.error());
    std::printf("wrote %s (%zu epochs, %zu switches)\n", out->c_str(), rec->epochs.size(),
                rec->switches.size());
    return dw::cli::kOk;
#else
    return dw::cli::report(dw::makeError("this dendrite was built without the GUI libraries",
                                         "rebuild with -DDW_BUILD_GUI=ON to render figures"));
#endif
}

} // namespace

DW_REGISTER_COMMAND("plot", "plot RUN --out FILE.png|FILE.pdf [--width PX] [--height PX]",
                    "Render a run's training figure (phases, dendrites, loss, lr, scores).", run);
