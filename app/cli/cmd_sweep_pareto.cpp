// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite sweep pareto DIR --out FILE.png`: renders the sweep's Pareto view offscreen with the
// GUI's own widget (dw::ui::ParetoPlot). Qt + ui + core public headers only (never torch).
#include "cli.h"

#ifdef DW_HAVE_UI // the whole file: without the GUI, `sweep pareto` says so (cmd_sweep.cpp)

#include "dw/core/atomic_file.h"
#include "dw/core/sweep.h"
#include "dw/ui/pareto_plot.h"

#include <QApplication>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace dw::cli {

int sweepParetoCommand(const std::vector<std::string>& argv)
{
    namespace fs = std::filesystem;
    auto args = Args::parse(argv);
    if (!args)
        return report(args.error());
    if (auto s = args->checkKnown({"out", "title", "width", "height"}); !s)
        return report(s.error());
    if (args->positional().size() != 1 || !args->has("out"))
        return usageError("sweep pareto needs the sweep folder (or a results.csv) and --out",
                          "e.g. dendrite sweep pareto sweep-out --out pareto.png");
    auto width = args->getInt("width", 1200);
    auto height = args->getInt("height", 750);
    if (!width || !height)
        return report((!width ? width : height).error());
    if (*width < 200 || *width > 8000 || *height < 150 || *height > 8000)
        return usageError("--width/--height out of range", "use 200..8000 pixels");
    const fs::path in = args->positional()[0];
    std::vector<sweep::TrialRow> rows;
    std::string name;
    fs::path runBase = in;
    if (fs::is_directory(in)) {
        auto dir = sweep::SweepDir::open(in);
        if (!dir)
            return report(dir.error());
        auto scan = dir->scan();
        for (const auto& c : scan.corrupt)
            std::cerr << "warning: corrupt row " << c << " (not plotted)\n";
        rows = scan.rows;
        name = dir->spec().name;
    } else {
        auto text = readFile(in);
        if (!text)
            return report(text.error());
        auto parsed = sweep::parseResultsCsv(*text);
        if (!parsed)
            return report(parsed.error());
        rows = *parsed;
        name = in.stem().string();
        runBase = in.parent_path();
    }
    if (rows.empty())
        return report(makeError("the sweep has no finished trials to plot",
                                "run some trials first (dendrite sweep status DIR)", kBadInput));

    // Offscreen rendering: no display needed (CI, ssh, Slurm nodes).
    if (!std::getenv("QT_QPA_PLATFORM"))
        ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    int qargc = 1;
    char arg0[] = "dendrite";
    char* qargv[] = {arg0, nullptr};
    QApplication app(qargc, qargv);
    ui::ParetoPlot plot;
    auto f = sweep::computeFindings(rows);
    int n = 0;
    QString counts;
    for (const auto& [m, c] : f.trialsPerMode) {
        counts += QString("%1%2 %3").arg(counts.isEmpty() ? "" : ", ", QString::fromStdString(m))
                      .arg(c);
        n += c;
    }
    plot.setTitle(QString::fromStdString(args->get("title", "sweep '" + name + "'")) +
                  QString(": %1 trials (%2); error bars 95 % bootstrap").arg(n).arg(counts));
    plot.setRows(rows, QString::fromStdString(runBase.string()));
    const std::string out = *args->get("out");
    if (!plot.savePng(QString::fromStdString(out), *width, *height))
        return report(makeError("cannot write '" + out + "'",
                                "check the folder exists and is writable"));
    std::cout << "wrote " << out << " (" << n << " trials)\n";
    return kOk;
}

} // namespace dw::cli

#endif // DW_HAVE_UI
