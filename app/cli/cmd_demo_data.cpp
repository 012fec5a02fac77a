// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite demo-data`: the built-in synthetic keyword project.
#include "cli.h"

#include "dw/audio/demo_data.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

namespace {
int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv);
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown(
            {"out", "seed", "per-class", "jobs", "snr-min", "snr-max", "keywords"});
        !s)
        return dw::cli::report(s.error());
    if (!args->positional().empty())
        return dw::cli::usageError("unexpected argument '" + args->positional()[0] + "'",
                                   "write dendrite demo-data --out DIR [--seed N] [--per-class N]");
    auto out = args->get("out");
    if (!out)
        return dw::cli::usageError("--out DIR is missing",
                                   "name the project folder to create, e.g. --out demo-project");
    auto seed = args->getInt("seed", 1);
    auto perClass = args->getInt("per-class", 300);
    auto jobs = args->getInt("jobs", 0);
    if (!seed)
        return dw::cli::report(seed.error());
    if (!perClass)
        return dw::cli::report(perClass.error());
    if (!jobs)
        return dw::cli::report(jobs.error());
    if (*seed < 0)
        return dw::cli::usageError("--seed must not be negative", "write for example --seed 1");
    dw::audio::DemoDataOptions opt;
    auto snrMin = args->getDouble("snr-min", opt.snrMinDb);
    auto snrMax = args->getDouble("snr-max", opt.snrMaxDb);
    if (!snrMin)
        return dw::cli::report(snrMin.error());
    if (!snrMax)
        return dw::cli::report(snrMax.error());
    if (auto kw = args->get("keywords")) {
        auto words = dw::audio::parseKeywords(*kw);
        if (!words)
            return dw::cli::report(words.error());
        opt.keywords = *words;
    }
    opt.out = *out;
    opt.seed = uint64_t(*seed);
    opt.perClass = *perClass;
    opt.jobs = *jobs;
    opt.snrMinDb = *snrMin;
    opt.snrMaxDb = *snrMax;

    // Ctrl-C stops the generator cleanly: the clips written so far stay listed.
    std::atomic<bool> cancel{false};
    opt.cancel = &cancel;
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        while (!done.load()) {
            if (dw::cli::interrupted())
                cancel.store(true);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });

    auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    auto progress = [&](int d, int total) {
        const auto now = std::chrono::steady_clock::now();
        if (d == total || now - last > std::chrono::milliseconds(250)) {
            last = now;
            std::fprintf(stderr, "\rsynthesising clips: %d/%d (%d%%)", d, total,
                         total > 0 ? d * 100 / total : 100);
            std::fflush(stderr);
        }
    };
    auto r = dw::audio::createDemoProject(opt, progress);
    done.store(true);
    watcher.join();
    std::fprintf(stderr, "\n");
    if (!r)
        return dw::cli::report(r.error());
    if (cancel.load()) {
        std::cerr << "interrupted: " << r->clips << " clips written to " << opt.out << "\n";
        return dw::cli::kInterrupted;
    }
    std::cout << "created demo project " << opt.out << ": " << r->clips << " clips in "
              << std::fixed;
    std::cout.precision(1);
    std::cout << r->seconds << " s (seed " << opt.seed << ", " << r->voices.size() << " voices, "
              << r->espeakVersion << (r->fliteVersion.empty() ? "" : ", flite " + r->fliteVersion)
              << ")\n";
    std::cout << "label      train  val  test\n";
    for (const auto& [label, c] : r->counts) {
        std::printf("%-10s %5d %4d %5d\n", label.c_str(), c[0], c[1], c[2]);
    }
    std::fflush(stdout);
    return dw::cli::kOk;
}
} // namespace

DW_REGISTER_COMMAND(
    "demo-data",
    "demo-data --out DIR [--keywords \"hello world, ...\"] [--seed N] "
    "[--per-class N] [--jobs N] "
    "[--snr-min DB] [--snr-max DB]",
    "Synthesise a keyword project with espeak-ng (no download): the 12-class demo, or "
    "--keywords plus unknown and noise (\"hello world\": the paper's 3-class task).",
    run);
