// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite check --project DIR [--repair] [--json]`: verifies a project after a crash, a kill or a
// hand edit. Every listed clip must exist and decode as 16 kHz mono PCM16, no clip may be a
// temporary file, no unlisted WAV may sit in clips/<label>/, and every run folder under runs/
// must be readable (a run that stopped mid-training is fine when it can be resumed).
// Project::open() already repairs in memory (orphans adopted, missing files unlisted); --repair
// takes the project lock, removes stale temporaries, saves those repairs and removes stale run
// temporaries. Without --repair nothing is changed; a project another live process holds the
// lock of (an import, a recording, the workbench) is reported as in use, not as damaged.
// Exit 0 when the project is (now) sound, 3 when something is wrong (or was found and not saved).
#include "cli.h"

#include "dw/core/atomic_file.h"
#include "dw/core/project.h"
#include "dw/core/project_lock.h"
#include "dw/core/run_record.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool isTemporaryName(const std::string& name)
{
    return name.find(".tmp-dw") != std::string::npos;
}

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv, {"repair", "json"});
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown({"project", "repair", "json"}); !s)
        return dw::cli::report(s.error());
    const auto dir = args->get("project");
    if (!dir)
        return dw::cli::usageError("check needs --project DIR",
                                   "e.g. dendrite check --project demo-project --repair");
    const bool repair = args->has("repair");
    const bool asJson = args->has("json");

    // Repairs write project.json: only with the project to ourselves.
    std::optional<dw::ProjectLock> lock;
    if (repair) {
        auto l = dw::ProjectLock::acquire(*dir);
        if (!l)
            return dw::cli::report(
                dw::Error{l.error().message, l.error().hint, dw::cli::kBadInput});
        lock.emplace(std::move(*l));
    }
    auto project = dw::Project::open(*dir, lock ? &*lock : nullptr);
    if (!project)
        return dw::cli::report(
            dw::Error{project.error().message, project.error().hint, dw::cli::kBadInput});
    if (project->inUseBy() != 0) {
        // Mid-import the clips written but not yet listed would read as 1000 false problems.
        const std::string who = project->inUseBy() > 0 ? "PID " + std::to_string(project->inUseBy())
                                : project->inUseHost().empty()
                                    ? "an unknown process (its lock file is unreadable)"
                                    : "a process on host '" + project->inUseHost() + "'";
        return dw::cli::report(dw::makeError(
            "project '" + *dir + "' is in use by " + who + " (import running?)",
            "an import, a recording or a workbench window holds the project's lock; wait until "
            "it has finished (or close the window), then run `dendrite check` again; nothing "
            "was checked or changed",
            dw::cli::kBadInput));
    }

    std::vector<std::string> problems; // wrong and not repaired
    std::vector<std::string> repaired; // found and fixed (saved with --repair)
    std::vector<std::string> notes;    // fine, but worth saying (a resumable run)
    for (const auto& line : project->openReport())
        (repair ? repaired : problems).push_back(line);

    int decoded = 0;
    for (const auto& c : project->clips()) {
        if (isTemporaryName(c.path)) {
            problems.push_back("clip '" + c.id + "' points at a temporary file '" + c.path + "'");
            continue;
        }
        auto audio = dw::readWavPcm16(project->clipPath(c));
        if (!audio) {
            problems.push_back("clip '" + c.id + "' (" + c.path +
                               ") does not decode: " + audio.error().message);
            continue;
        }
        if (audio->sampleRate != 16000 || audio->samples.empty())
            problems.push_back("clip '" + c.id + "' (" + c.path + ") has " +
                               std::to_string(audio->samples.size()) + " samples at " +
                               std::to_string(audio->sampleRate) + " Hz, expected 16 kHz");
        else if (int(audio->samples.size()) != c.samples)
            problems.push_back("clip '" + c.id + "' (" + c.path + ") has " +
                               std::to_string(audio->samples.size()) +
                               " samples but the manifest lists " + std::to_string(c.samples) +
                               " (the file was changed or cut short)");
        else
            ++decoded;
    }

    json runs = json::array();
    std::error_code ec;
    if (fs::is_directory(project->runsDir(), ec)) {
        for (const auto& e : fs::directory_iterator(project->runsDir(), ec)) {
            if (!e.is_directory())
                continue;
            const std::string name = e.path().filename().string();
            if (name.find(".tmp-dw") != std::string::npos)
                continue; // a run folder being created (or left by a crash; open removes those)
            json r = {{"name", name}};
            if (repair) {
                if (int n = dw::removeStaleTemporaries(e.path()); n > 0)
                    repaired.push_back("run '" + name + "': removed " + std::to_string(n) +
                                       " stale temporary file(s)");
            }
            auto rec = dw::readRun(e.path());
            if (!rec) {
                problems.push_back("run '" + name + "' is unreadable: " + rec.error().text());
                r["readable"] = false;
                r["error"] = rec.error().message;
                runs.push_back(r);
                continue;
            }
            // The checkpoints a finished or resumable run needs must be whole archives.
            bool damagedCheckpoint = false;
            for (const char* ckpt : {"best.pt", "latest.pt"}) {
                if (!fs::exists(e.path() / ckpt, ec))
                    continue;
                if (auto s = dw::checkCheckpointFile(e.path() / ckpt); !s) {
                    problems.push_back("run '" + name + "': " + s.error().text());
                    damagedCheckpoint = true;
                }
            }
            r["checkpoints_sound"] = !damagedCheckpoint;
            const bool hasLatest =
                fs::exists(e.path() / "latest.json", ec) || fs::exists(e.path() / "latest.pt", ec);
            const bool finished = rec->summary.has_value();
            r["readable"] = true;
            r["status"] = rec->status;
            r["epochs"] = rec->epochs.size();
            r["finished"] = finished;
            r["resumable"] = !finished && hasLatest;
            if (!finished)
                notes.push_back("run '" + name + "' did not finish (status '" + rec->status +
                                "', " + std::to_string(rec->epochs.size()) + " epochs logged)" +
                                (hasLatest ? ": continue it with `dendrite train --resume " +
                                                 e.path().string() + "`"
                                           : ": it stopped before its first checkpoint"));
            runs.push_back(r);
        }
    }

    if (repair && !project->openReport().empty()) {
        if (auto s = project->save(); !s) {
            problems.push_back("could not save the repaired project.json: " + s.error().text());
            repaired.clear();
        }
    }

    if (asJson) {
        json j = {{"project", project->root().string()},
                  {"clips", project->clips().size()},
                  {"clips_decoded", decoded},
                  {"labels", project->labels()},
                  {"problems", problems},
                  {"repaired", repaired},
                  {"notes", notes},
                  {"runs", runs},
                  {"ok", problems.empty()}};
        json ids = json::array();
        for (const auto& c : project->clips())
            ids.push_back(c.id);
        j["clip_ids"] = ids;
        std::printf("%s\n",
                    j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        std::printf("%s: %zu clips (%d decode), %zu runs\n", project->root().string().c_str(),
                    project->clips().size(), decoded, runs.size());
        for (const auto& l : repaired)
            std::printf("repaired: %s\n", l.c_str());
        for (const auto& l : notes)
            std::printf("note: %s\n", l.c_str());
        for (const auto& l : problems)
            std::printf("problem: %s\n", l.c_str());
    }
    if (!problems.empty()) {
        return dw::cli::report(
            dw::makeError(std::to_string(problems.size()) + " problem(s) found in '" + *dir + "'",
                          repair ? "the problems listed above cannot be repaired automatically"
                                 : "run `dendrite check --project " + *dir +
                                       " --repair` to save the repairs that are safe",
                          dw::cli::kBadInput));
    }
    if (!asJson)
        std::printf("%s\n", repaired.empty() ? "project is sound" : "project repaired and sound");
    return dw::cli::kOk;
}

} // namespace

DW_REGISTER_COMMAND("check", "check --project DIR [--repair] [--json]",
                    "Verify a project (clips decode, no orphans or temporaries, runs readable); "
                    "--repair saves the safe repairs.",
                    run);
