// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite compare --project DIR --out DIR [--seeds N] [--modes a,b] [--set k=v ...]`: trains
// the same architecture as traditional, gd and cc (each seed), prints a table and writes
// compare.csv / compare.json. Finished runs in --out are reused, so an interrupted compare
// continues where it stopped.
#include "cli.h"
#include "train_common.h"

#include "dw/core/atomic_file.h"
#include "dw/core/run_record.h"
#include "dw/core/training.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>

namespace {

struct Stat
{
    double mean = 0, sd = 0;
};
Stat stat(const std::vector<double>& v)
{
    Stat s;
    if (v.empty())
        return s;
    for (double x : v)
        s.mean += x;
    s.mean /= double(v.size());
    if (v.size() > 1) {
        for (double x : v)
            s.sd += (x - s.mean) * (x - s.mean);
        s.sd = std::sqrt(s.sd / double(v.size() - 1));
    }
    return s;
}

std::string fmt(const Stat& s, int n, const char* f)
{
    char a[64], b[64];
    std::snprintf(a, sizeof a, f, s.mean);
    if (n < 2)
        return a;
    std::snprintf(b, sizeof b, f, s.sd);
    return std::string(a) + " ± " + b;
}

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv, {"quiet"});
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown(
            {"project", "out", "seeds", "modes", "model", "set", "config", "quiet"});
        !s)
        return dw::cli::report(s.error());
    auto project = args->get("project");
    auto out = args->get("out");
    if (!project || !out)
        return dw::cli::usageError("compare needs --project DIR and --out DIR",
                                   "write: dendrite compare --project DIR --out DIR --seeds 3");
    auto seeds = args->getInt("seeds", 1);
    if (!seeds)
        return dw::cli::report(seeds.error());
    if (*seeds < 1 || *seeds > 100)
        return dw::cli::usageError("--seeds must be between 1 and 100", "e.g. --seeds 3");
    std::vector<std::string> modes;
    {
        std::stringstream ss(args->get("modes", "traditional,gd,cc"));
        std::string m;
        while (std::getline(ss, m, ','))
            if (!m.empty())
                modes.push_back(m);
    }
    for (const auto& m : modes)
        if (m != "traditional" && m != "gd" && m != "cc")
            return dw::cli::usageError("unknown mode '" + m + "' in --modes",
                                       "use a list of traditional, gd, cc");
    if (args->has("mode"))
        return dw::cli::usageError("compare trains every mode", "use --modes to choose some");
    auto base = dw::cli::buildConfig(*args, *project);
    if (!base)
        return dw::cli::report(base.error());
    const bool quiet = args->has("quiet");
    auto data = dw::cli::loadData(*project, base->features, quiet);
    if (!data)
        return dw::cli::report(data.error());
    std::filesystem::path outDir(*out);

    struct Row
    {
        std::string mode;
        int seed;
        dw::RunSummary s;
    };
    std::vector<Row> rows;
    for (int i = 0; i < *seeds; ++i) {
        for (const auto& mode : modes) {
            dw::TrainConfig c = *base;
            c.mode = mode;
            c.seed = base->seed + i;
            std::filesystem::path runDir = outDir / (mode + "-seed" + std::to_string(c.seed));
            auto old = dw::readRun(runDir);
            if (old && old->summary && old->status == "finished") {
                if (!quiet)
                    std::printf("reusing finished run %s\n", runDir.c_str());
                rows.push_back({mode, c.seed, *old->summary});
                continue;
            }
            std::error_code ec;
            if (std::filesystem::exists(runDir / "config.json", ec)) {
                // An unfinished run from an earlier compare: start it over.
                std::filesystem::remove_all(runDir, ec);
            }
            if (!quiet)
                std::printf("== %s seed %d -> %s\n", mode.c_str(), c.seed, runDir.c_str());
            dw::cli::ConsoleObserver obs(quiet, "  ");
            auto r = dw::train(*data, c, runDir, &obs.observer, {dw::cli::sourceFile(*project)});
            if (!r)
                return dw::cli::report(r.error());
            if (r->status == "stopped")
                return dw::cli::report(dw::makeError("compare interrupted",
                                                     "run it again: finished runs are reused",
                                                     dw::cli::kInterrupted));
            rows.push_back({mode, c.seed, *r});
        }
    }

    // How each P-phase of a run ended (from its event log): "p_patience;p_patience".
    auto phaseEnds = [&](const Row& r) {
        std::string out;
        auto rec = dw::readRun(outDir / (r.mode + "-seed" + std::to_string(r.seed)));
        if (!rec)
            return out;
        for (const auto& sw : rec->switches)
            if (sw.kind == "P->N")
                out += (out.empty() ? "" : ";") + (sw.reason.empty() ? "?" : sw.reason);
        return out;
    };
    std::ostringstream csv;
    csv << "mode,seed,params,val_accuracy,test_accuracy,dendrites,best_epoch,epochs,seconds,"
           "status,stop_kind,p_phases,p_epochs,p_phase_ends,dendrites_added,dendrites_reverted\n";
    nlohmann::ordered_json runs = nlohmann::ordered_json::array();
    for (const auto& r : rows) {
        std::string k = dw::cli::formatDendrites(r.s.dendrites);
        csv << r.mode << "," << r.seed << "," << r.s.params << "," << r.s.val_accuracy << ","
            << r.s.test_accuracy << ",\"" << k << "\"," << r.s.best_epoch << "," << r.s.epochs
            << "," << r.s.seconds << "," << r.s.status << "," << r.s.stop_kind << ","
            << r.s.p_phases << "," << r.s.p_epochs << "," << phaseEnds(r) << ","
            << r.s.dendrites_added << "," << r.s.dendrites_reverted << "\n";
        runs.push_back({{"mode", r.mode},
                        {"seed", r.seed},
                        {"params", r.s.params},
                        {"val_accuracy", r.s.val_accuracy},
                        {"test_accuracy", r.s.test_accuracy},
                        {"dendrites", r.s.dendrites},
                        {"best_epoch", r.s.best_epoch},
                        {"epochs", r.s.epochs},
                        {"seconds", r.s.seconds},
                        {"status", r.s.status},
                        {"stop_kind", r.s.stop_kind},
                        {"stop_reason", r.s.stop_reason},
                        {"p_phases", r.s.p_phases},
                        {"p_epochs", r.s.p_epochs},
                        {"p_phase_ends", phaseEnds(r)},
                        {"dendrites_added", r.s.dendrites_added},
                        {"dendrites_reverted", r.s.dendrites_reverted}});
    }
    // Every run: how many P-phases it had and why it stopped (a run stopped by epochs_max did
    // not end by its tracker: not a fair run for dendrites).
    std::printf("\n%-12s %5s %8s %8s %8s %10s %7s %9s  %s\n", "mode", "seed", "params", "val",
                "test", "dendrites", "epochs", "P-phases", "stopped by");
    for (const auto& r : rows)
        std::printf("%-12s %5d %8lld %8.4f %8.4f %10s %7d %9d  %s\n", r.mode.c_str(), r.seed,
                    r.s.params, r.s.val_accuracy, r.s.test_accuracy,
                    dw::cli::formatDendrites(r.s.dendrites).c_str(), r.s.epochs, r.s.p_phases,
                    r.s.stop_kind.empty() ? r.s.status.c_str() : r.s.stop_kind.c_str());
    std::printf("\n%-12s %16s %16s %16s %14s %14s\n", "mode", "params", "val", "test", "dendrites",
                "seconds");
    nlohmann::ordered_json agg = nlohmann::ordered_json::array();
    for (const auto& mode : modes) {
        std::vector<double> p, v, t, k, sec;
        for (const auto& r : rows) {
            if (r.mode != mode)
                continue;
            p.push_back(double(r.s.params));
            v.push_back(r.s.val_accuracy);
            t.push_back(r.s.test_accuracy);
            double kk = 0;
            for (int x : r.s.dendrites)
                kk = std::max(kk, double(x));
            k.push_back(kk);
            sec.push_back(r.s.seconds);
        }
        int n = int(p.size());
        std::printf("%-12s %16s %16s %16s %14s %14s\n", mode.c_str(),
                    fmt(stat(p), n, "%.0f").c_str(), fmt(stat(v), n, "%.4f").c_str(),
                    fmt(stat(t), n, "%.4f").c_str(), fmt(stat(k), n, "%.1f").c_str(),
                    fmt(stat(sec), n, "%.0f").c_str());
        auto js = [](const Stat& s) {
            return nlohmann::ordered_json{{"mean", s.mean}, {"std", s.sd}};
        };
        agg.push_back({{"mode", mode},
                       {"runs", n},
                       {"params", js(stat(p))},
                       {"val_accuracy", js(stat(v))},
                       {"test_accuracy", js(stat(t))},
                       {"dendrites", js(stat(k))},
                       {"seconds", js(stat(sec))}});
    }
    std::printf("(mean ± sample std over %d seed%s; test accuracy at the best-validation epoch; "
                "dendrites per wrapped layer)\n",
                *seeds, *seeds > 1 ? "s" : "");
    nlohmann::ordered_json j;
    j["project"] = *project;
    j["seeds"] = *seeds;
    j["config"] = nlohmann::json::parse(base->toJson());
    j["summary"] = agg;
    j["runs"] = runs;
    if (auto s = dw::writeFileAtomic(outDir / "compare.csv", csv.str()); !s)
        return dw::cli::report(s.error());
    if (auto s =
            dw::writeFileAtomic(outDir / "compare.json",
                                j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        !s)
        return dw::cli::report(s.error());
    std::printf("wrote %s and %s\n", (outDir / "compare.csv").c_str(),
                (outDir / "compare.json").c_str());
    return dw::cli::kOk;
}

} // namespace

DW_REGISTER_COMMAND("compare",
                    "compare --project DIR --out DIR [--seeds N] [--modes traditional,gd,cc] "
                    "[--model M] [--config FILE.json] [--set name=value ...] [--quiet]",
                    "Trains the same architecture as traditional, gd and cc and prints params, "
                    "accuracy, dendrites and time side by side.",
                    run);
