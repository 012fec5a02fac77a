// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite export RUN --format c|c-int8|onnx --out DIR`: the run's best model for boards (C
// header + portable C99 runtime + host example) or for other toolchains (ONNX), with the board
// report (flash, RAM, MACs, Cortex-M4F sizes) and the exported model's test accuracy.
// The export never replaces a file it did not write (issue 18): --out is a new or empty folder or
// a previous export's (export.json lists its files); a file of the user's of the same name as an
// exported one is refused unless --force.
#include "cli.h"

#include "dw/core/dataset.h"
#include "dw/core/export.h"
#include "dw/core/project.h"
#include "dw/core/run_record.h"

#include <iostream>
#include <optional>

namespace {

// The run's project features (test split, calibration); nullopt with a note when there is none.
dw::Result<std::optional<dw::FeatureDataset>> loadRunData(const dw::cli::Args& args,
                                                          const std::filesystem::path& runDir)
{
    std::filesystem::path proj = args.get("project", "");
    if (proj.empty())
        proj = dw::projectOfRun(runDir);
    if (proj.empty())
        return std::optional<dw::FeatureDataset>{};
    auto run = dw::readRun(runDir);
    if (!run) {
        dw::Error e = run.error();
        e.code = dw::cli::kBadInput;
        return e;
    }
    auto project = dw::Project::open(proj);
    if (!project) {
        dw::Error e = project.error();
        e.code = dw::cli::kBadInput;
        return e;
    }
    std::cerr << "loading features of " << proj.string() << "\n";
    auto data = dw::loadFeatureDataset(*project, run->config.features, 0);
    if (!data) {
        dw::Error e = data.error();
        e.code = dw::cli::kBadInput;
        return e;
    }
    return std::optional<dw::FeatureDataset>(std::move(*data));
}

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv, {"json", "no-arm", "force"});
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown(
            {"format", "out", "project", "calibration", "json", "no-arm", "force"});
        !s)
        return dw::cli::report(s.error());
    if (args->positional().size() != 1)
        return dw::cli::usageError("export needs one run folder",
                                   "write: dendrite export RUN --format c|c-int8|onnx --out DIR");
    const std::filesystem::path runDir = args->positional()[0];
    const std::string fmt = args->get("format", "c");
    auto format = dw::exportFormatFromName(fmt);
    if (!format)
        return dw::cli::usageError("unknown export format '" + fmt + "'",
                                   "use --format c (float32), c-int8 or onnx");
    auto out = args->get("out");
    if (!out || out->empty())
        return dw::cli::usageError("export needs an output folder",
                                   "add --out DIR (created if missing)");
    auto cal = args->getInt("calibration", 500);
    if (!cal)
        return dw::cli::report(cal.error());
    if (*cal < 1)
        return dw::cli::usageError("--calibration must be at least 1",
                                   "give the number of training clips, e.g. --calibration 500");

    // The user's files in --out: refused before the work (exportRun checks again at the end).
    const bool force = args->has("force");
    if (!force)
        if (auto c = dw::exportConflicts(*out, *format); !c.empty())
            return dw::cli::report(dw::exportConflictError(*out, c));

    auto data = loadRunData(*args, runDir);
    if (!data)
        return dw::cli::report(data.error());
    if (!*data)
        std::cerr << "note: no project found for this run (give --project DIR): no test accuracy, "
                     "synthetic test vector\n";
    dw::ExportOptions opt;
    opt.format = *format;
    opt.calibrationClips = *cal;
    opt.measureArm = !args->has("no-arm");
    opt.replaceForeignFiles = force;
    opt.progress = [](const std::string& s) { std::cerr << s << "\n"; };
    auto res = dw::exportRun(runDir, *out, opt, *data ? &**data : nullptr);
    if (!res)
        return dw::cli::report(res.error());
    if (args->has("json"))
        std::cout << res->toJson() << "\n";
    else
        std::cout << res->text();
    return dw::cli::kOk;
}

} // namespace

DW_REGISTER_COMMAND("export",
                    "export RUN --format c|c-int8|onnx --out DIR [--project DIR] "
                    "[--calibration N] [--no-arm] [--force] [--json]",
                    "Export a run's best model as a C header + C99 runtime, int8, or ONNX.", run);
