// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite train --project DIR --out RUN [--model M] [--mode M] [--config F.json] [--set k=v ...]`
// and `dendrite train --resume RUN`: Perforated Backpropagation training from the command line.
#include "cli.h"
#include "train_common.h"

#include "dw/core/atomic_file.h"
#include "dw/core/training.h"

#include <cstdio>
#include <iostream>

namespace {

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv, {"quiet"});
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown(
            {"project", "out", "model", "mode", "set", "config", "resume", "quiet"});
        !s)
        return dw::cli::report(s.error());
    if (!args->positional().empty())
        return dw::cli::usageError("train takes no positional argument '" + args->positional()[0] +
                                       "'",
                                   "write: dendrite train --project DIR --out RUN [--set k=v]");
    const bool quiet = args->has("quiet");

    if (auto resume = args->get("resume")) {
        if (args->has("project") || args->has("out") || args->has("set") || args->has("config") ||
            args->has("model") || args->has("mode"))
            return dw::cli::usageError("--resume takes no other options",
                                       "write: dendrite train --resume RUN");
        std::filesystem::path runDir(*resume);
        auto src = dw::cli::runProject(runDir);
        if (!src)
            return dw::cli::report(src.error());
        auto cfg = dw::cli::runConfig(runDir);
        if (!cfg)
            return dw::cli::report(cfg.error());
        auto data = dw::cli::loadData(*src, cfg->features, quiet);
        if (!data)
            return dw::cli::report(data.error());
        dw::cli::ConsoleObserver obs(quiet);
        auto r = dw::resumeTraining(*data, runDir, &obs.observer);
        if (!r)
            return dw::cli::report(r.error());
        return dw::cli::printSummary(*r, runDir);
    }

    auto project = args->get("project");
    auto out = args->get("out");
    if (!project || !out)
        return dw::cli::usageError("train needs --project DIR and --out RUN",
                                   "write: dendrite train --project DIR --out RUN [--mode cc]");
    auto cfg = dw::cli::buildConfig(*args, *project);
    if (!cfg)
        return dw::cli::report(cfg.error());
    std::filesystem::path runDir(*out);
    std::error_code ec;
    if (std::filesystem::exists(runDir / "config.json", ec)) {
        std::string where = runDir.string();
        std::string msg = "'";
        msg.append(where).append("' already holds a run");
        std::string hint =
            "choose a new --out folder, or continue it with dendrite train --resume ";
        hint.append(where);
        return dw::cli::report(dw::makeError(msg, hint, dw::cli::kUsage));
    }
    auto data = dw::cli::loadData(*project, cfg->features, quiet);
    if (!data)
        return dw::cli::report(data.error());
    if (!quiet)
        std::printf("training %s (%s) on %zu clips, %zu labels -> %s\n", cfg->model.c_str(),
                    cfg->mode.c_str(), data->size(), data->labels.size(), runDir.c_str());
    dw::cli::ConsoleObserver obs(quiet);
    auto r = dw::train(*data, *cfg, runDir, &obs.observer, {dw::cli::sourceFile(*project)});
    if (!r)
        return dw::cli::report(r.error());
    return dw::cli::printSummary(*r, runDir);
}

} // namespace

DW_REGISTER_COMMAND("train",
                    "train --project DIR --out RUN [--model ei1d|ei2d|custom] "
                    "[--mode traditional|gd|cc] [--config FILE.json] [--set name=value ...] "
                    "[--quiet] | train --resume RUN",
                    "Trains a traditional, gd or cc (Perforated Backpropagation) model on a "
                    "project, or resumes a stopped run.",
                    run);
