// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite import`: audio files and folders into a project (created when missing).
#include "cli.h"

#include "dw/audio/import.h"
#include "dw/core/project.h"
#include "dw/core/project_lock.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace {
std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv);
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown({"project", "label", "keywords", "unknown-label", "noise-label",
                                   "threshold", "padding", "shift", "seed"});
        !s)
        return dw::cli::report(s.error());
    auto dir = args->get("project");
    if (!dir)
        return dw::cli::usageError("--project DIR is missing",
                                   "write dendrite import --project DIR FILE_OR_FOLDER...");
    if (args->positional().empty())
        return dw::cli::usageError("nothing to import",
                                   "name one or more WAV files or folders after the options");

    dw::audio::ImportOptions opt;
    opt.label = args->get("label", "");
    opt.keywords = splitList(args->get("keywords", ""));
    opt.unknownLabel = args->get("unknown-label", opt.unknownLabel);
    opt.noiseLabel = args->get("noise-label", opt.noiseLabel);
    for (const auto* l : {&opt.label, &opt.unknownLabel, &opt.noiseLabel})
        if (!l->empty())
            if (auto s = dw::Project::validateLabel(*l); !s)
                return dw::cli::report(
                    dw::makeError(s.error().message, s.error().hint, dw::cli::kUsage));
    auto thr = args->getDouble("threshold", opt.splitter.thresholdDb);
    auto pad = args->getDouble("padding", opt.splitter.paddingSeconds);
    auto shift = args->getDouble("shift", opt.splitter.maxShiftSeconds);
    auto seed = args->getInt("seed", 0);
    for (const auto* r : {&thr, &pad, &shift})
        if (!*r)
            return dw::cli::report(r->error());
    if (!seed)
        return dw::cli::report(seed.error());
    if (*thr <= 0 || *thr > 80)
        return dw::cli::usageError("--threshold must be between 0 and 80 dB",
                                   "it is how far above the noise floor speech must rise; "
                                   "default 12");
    if (*pad < 0 || *pad > 0.5 || *shift < 0 || *shift > 0.5)
        return dw::cli::usageError("--padding and --shift must be between 0 and 0.5 s",
                                   "write for example --padding 0.05 --shift 0.2");
    opt.splitter.thresholdDb = *thr;
    opt.splitter.paddingSeconds = *pad;
    opt.splitter.maxShiftSeconds = *shift;
    opt.splitter.seed = uint64_t(*seed);

    // The lock first, then the project: opening removes stale temporaries, which only the lock
    // holder may do (issue 18: a second import used to delete a running one's temporaries).
    const std::filesystem::path root = *dir;
    std::error_code ec;
    if (!std::filesystem::exists(root, ec)) {
        std::filesystem::create_directories(root, ec);
        if (ec)
            return dw::cli::report(dw::makeError(
                "cannot create the project folder '" + root.string() + "': " + ec.message(),
                "check the path and its permissions", dw::cli::kBadInput));
    }
    if (!std::filesystem::is_directory(root, ec))
        return dw::cli::report(dw::Project::create(root, {}).error());
    auto lock = dw::ProjectLock::acquire(root);
    if (!lock)
        return dw::cli::report(
            dw::Error{lock.error().message, lock.error().hint, dw::cli::kBadInput});
    auto project = std::filesystem::exists(root / "project.json", ec)
                       ? dw::Project::open(root, &*lock)
                       : dw::Project::create(root, {});
    if (!project)
        return dw::cli::report(project.error());
    for (const auto& line : project->openReport())
        std::cerr << "note: " << line << "\n";

    std::vector<std::filesystem::path> paths(args->positional().begin(), args->positional().end());
    auto progress = [](int d, int total) {
        if (d == total || d % 50 == 0) {
            std::fprintf(stderr, "\rimporting: %d/%d files", d, total);
            if (d == total)
                std::fprintf(stderr, "\n");
        }
    };
    opt.shouldStop = [] { return dw::cli::interrupted(); };
    auto report = dw::audio::importPaths(*project, paths, opt, progress);
    if (!report)
        return dw::cli::report(report.error());
    std::cout << report->text();
    if (report->interrupted)
        return dw::cli::report(dw::makeError(
            "import interrupted: " + std::to_string(report->filesLeft) +
                " file(s) were not imported; the " + std::to_string(report->clipsAdded) +
                " clip(s) of the files before them are saved in the project",
            "run the import again on the files that are left (a folder imported again adds its "
            "clips again)",
            dw::cli::kInterrupted));
    if (report->clipsAdded == 0)
        return dw::cli::report(dw::makeError(
            "no clip was imported",
            "check the lines above: every file was skipped or no audio file was found",
            dw::cli::kBadInput));
    return dw::cli::kOk;
}
} // namespace

DW_REGISTER_COMMAND("import",
                    "import --project DIR [--label L] [--keywords w1,w2,...] [--threshold DB] "
                    "[--padding S] [--shift S] [--seed N] FILE_OR_FOLDER...",
                    "Import audio files or folders (a folder per label, or Speech Commands) into "
                    "a project, converting and splitting as needed.",
                    run);
