// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite sweep`: run a hyperparameter sweep locally (child processes), one trial at a time
// (for GNU parallel and Slurm job arrays), show its status, merge its rows, rerun its frontier.
// Core public headers only; the Pareto PNG lives in cmd_sweep_pareto.cpp (Qt, no torch).
#include "cli.h"

#include "dw/core/atomic_file.h"
#include "dw/core/dataset.h"
#include "dw/core/project.h"
#include "dw/core/sweep.h"
#include "dw/core/train_config.h"
#include "dw/core/training.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace dw::cli {
#ifdef DW_HAVE_UI
int sweepParetoCommand(const std::vector<std::string>& argv); // cmd_sweep_pareto.cpp
#endif
} // namespace dw::cli

namespace {
namespace fs = std::filesystem;
using namespace dw;
using namespace dw::sweep;

const char* kSynopsis =
    "sweep run SWEEP.json --out DIR [--jobs N] [--project P]\n"
    "       dendrite sweep trial SWEEP.json --index I|baseline --out DIR [--project P]\n"
    "       dendrite sweep status DIR [--json]\n"
    "       dendrite sweep merge DIR\n"
    "       dendrite sweep rerun-frontier DIR [--seeds 3] [--jobs N] [--out DIR2]\n"
    "       dendrite sweep pareto DIR --out FILE.png [--rerun DIR2]\n"
    "Sweep files: resources/sweeps/README.md (paper.json is the paper's 800-trial space).";

Result<SweepSpec> loadSpec(const std::string& file, const cli::Args& args)
{
    auto spec = loadSweep(file, TrainConfig::knobNames());
    if (!spec)
        return spec.error();
    if (auto p = args.get("project"))
        spec->project = fs::weakly_canonical(fs::absolute(*p));
    return spec;
}

// A trial's TrainConfig: the project's features, then every knob of the trial by name.
Result<TrainConfig> configFor(const Trial& t, const FeatureConfig& features)
{
    TrainConfig c;
    c.features = features;
    for (const auto& [name, value] : t.knobs)
        if (auto s = c.set(name, value); !s)
            return makeError(
                "trial " + t.id + ": knob " + name + "=" + value + ": " + s.error().message,
                s.error().hint.empty() ? "fix the value in the sweep file" : s.error().hint,
                cli::kBadInput);
    if (auto s = c.validate(); !s)
        return makeError("trial " + t.id + ": " + s.error().message, s.error().hint,
                         cli::kBadInput);
    return c;
}

Result<Project> openProject(const SweepSpec& spec)
{
    if (spec.project.empty())
        return makeError("the sweep names no project",
                         "pass --project DIR (or add \"project\" to the sweep file)", cli::kUsage);
    auto p = Project::open(spec.project);
    if (!p)
        return makeError("cannot open the project '" + spec.project.string() +
                             "': " + p.error().message,
                         p.error().hint, cli::kBadInput);
    return p;
}

// Every knob of the run's config, flattened to text by name (features by their EI names).
std::map<std::string, std::string> knobsOf(const TrainConfig& c)
{
    std::map<std::string, std::string> out;
    auto j = nlohmann::json::parse(c.toJson(), nullptr, false);
    if (j.is_discarded())
        return out;
    auto text = [](const nlohmann::json& v) {
        if (v.is_string())
            return v.get<std::string>();
        if (v.is_array()) {
            std::string s;
            for (const auto& x : v) {
                if (!s.empty())
                    s += ',';
                s += x.is_string()
                         ? x.get<std::string>()
                         : x.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            }
            return s;
        }
        return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    const auto known = TrainConfig::knobNames();
    auto isKnob = [&](const std::string& k) {
        return std::find(known.begin(), known.end(), k) != known.end();
    };
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (it.value().is_object()) {
            for (auto f = it.value().begin(); f != it.value().end(); ++f)
                if (isKnob(f.key()))
                    out[f.key()] = text(f.value());
        } else if (isKnob(it.key())) {
            out[it.key()] = text(it.value());
        }
    }
    return out;
}

Result<Trial> trialFromArg(const SweepSpec& spec, const std::string& index)
{
    if (index == "baseline")
        return makeBaselineTrial(spec);
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(index.c_str(), &end, 10);
    if (index.empty() || *end != '\0' || errno != 0)
        return makeError("--index '" + index + "' is not a number",
                         "give a trial index 0.." + std::to_string(spec.trials - 1) +
                             " or 'baseline'",
                         cli::kUsage);
    if (v < 0 || v >= spec.trials)
        return makeError("trial index " + index + " is out of range",
                         "this sweep has trials 0.." + std::to_string(spec.trials - 1),
                         cli::kUsage);
    return makeTrial(spec, int(v));
}

// ---- sweep trial ----------------------------------------------------------------------------
int cmdTrial(const std::vector<std::string>& argv)
{
    auto args = cli::Args::parse(argv);
    if (!args)
        return cli::report(args.error());
    if (auto s = args->checkKnown({"index", "out", "project"}); !s)
        return cli::report(s.error());
    if (args->positional().size() != 1 || !args->has("index") || !args->has("out"))
        return cli::usageError("sweep trial needs SWEEP.json, --index and --out",
                               "e.g. dendrite sweep trial sweep.json --index 3 --out sweep-out");
    auto spec = loadSpec(args->positional()[0], *args);
    if (!spec)
        return cli::report(spec.error());
    auto trial = trialFromArg(*spec, *args->get("index"));
    if (!trial)
        return cli::report(trial.error());
    auto dir = SweepDir::create(*args->get("out"), *spec);
    if (!dir)
        return cli::report(dir.error());
    auto project = openProject(dir->spec());
    if (!project)
        return cli::report(project.error());
    auto config = configFor(*trial, project->featureConfig());
    if (!config)
        return cli::report(config.error());

    auto claim = dir->claim(trial->id);
    if (!claim)
        return cli::report(claim.error());
    if (*claim == SweepDir::Claim::Finished) {
        std::cout << "trial " << trial->id << " already finished (rows/" << trial->id
                  << ".json); skipped\n";
        return cli::kOk;
    }
    if (*claim == SweepDir::Claim::Busy) {
        std::cout << "trial " << trial->id << " is being run by another process (claims/"
                  << trial->id << "); skipped\n";
        return cli::kOk;
    }
    struct Release
    {
        const SweepDir& d;
        std::string id;
        ~Release() { d.release(id); }
    } release{*dir, trial->id};

    auto data = loadFeatureDataset(*project, config->features, 1);
    if (!data)
        return cli::report(data.error());
    TrainObserver obs;
    obs.shouldStop = [] { return cli::interrupted(); };
    const auto t0 = std::chrono::steady_clock::now();
    auto summary = train(*data, *config, dir->runPath(trial->id), &obs);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (cli::interrupted() || (summary && summary->status == "stopped")) {
        std::cerr << "trial " << trial->id << " stopped; no row written (it reruns on resume)\n";
        return cli::kInterrupted;
    }
    TrialRow row;
    row.id = trial->id;
    row.index = trial->index;
    row.knobs = knobsOf(*config);
    row.testCount = int(data->count(Split::Test));
    row.seconds = seconds;
    row.run = "runs/" + trial->id;
    if (summary) {
        row.params = summary->params;
        row.val = summary->val_accuracy;
        row.test = summary->test_accuracy;
        for (int k : summary->dendrites)
            row.dendrites = std::max(row.dendrites, k);
        row.status = summary->status == "finished" ? "finished" : summary->status;
        if (row.status == "failed" && !summary->stop_reason.empty())
            row.status = "failed: " + summary->stop_reason;
    } else {
        row.status = "failed: " + summary.error().message;
    }
    if (auto s = dir->writeRow(row); !s)
        return cli::report(s.error());
    char buf[256];
    std::snprintf(buf, sizeof buf, "trial %s %s: %lld params, val %.4f, test %.4f, K=%d, %.1f s",
                  row.id.c_str(), row.mode().c_str(), row.params, row.val, row.test, row.dendrites,
                  row.seconds);
    std::cout << buf << (row.finished() ? "" : " (" + row.status + ")") << "\n";
    return row.finished() ? cli::kOk : cli::kFailure;
}

// ---- sweep run ------------------------------------------------------------------------------
pid_t spawnTrial(const std::string& sweepFile, const std::string& id, const fs::path& out,
                 const fs::path& log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<std::string> a = {"dendrite", "sweep",
                                  "trial",    sweepFile,
                                  "--index",  id == "baseline" ? id : std::to_string(std::stoi(id)),
                                  "--out",    out.string()};
    std::vector<char*> av;
    for (auto& s : a)
        av.push_back(s.data());
    av.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, av.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

int runSweep(const SweepSpec& specIn, const fs::path& out, int jobs)
{
    // Validate every trial's knobs before anything starts: a typo fails now, not at trial 517.
    auto project = openProject(specIn);
    if (!project)
        return cli::report(project.error());
    std::vector<Trial> trials;
    if (specIn.baseline) {
        auto b = makeBaselineTrial(specIn);
        trials.push_back(*b);
    }
    for (int i = 0; i < specIn.trials; ++i)
        trials.push_back(*makeTrial(specIn, i));
    for (const auto& t : trials)
        if (auto c = configFor(t, project->featureConfig()); !c)
            return cli::report(c.error());
    auto dir = SweepDir::create(out, specIn);
    if (!dir)
        return cli::report(dir.error());
    const std::string pinned = (out / "sweep.json").string();

    std::vector<std::string> todo;
    int already = 0;
    for (const auto& t : trials) {
        if (dir->hasRow(t.id))
            ++already;
        else
            todo.push_back(t.id);
    }
    std::cout << "sweep '" << dir->spec().name << "': " << trials.size() << " trials, " << already
              << " already finished, " << todo.size() << " to run with " << jobs << " jobs into "
              << out.string() << "\n";
    if (!todo.empty()) {
        // Warm the feature cache once so the children do not all compute it at the same time.
        std::cout << "loading features of " << project->root().string() << " ...\n" << std::flush;
        if (auto d = loadFeatureDataset(*project, project->featureConfig(), jobs); !d)
            return cli::report(d.error());
    }
    fs::create_directories(out / "logs");
    std::map<pid_t, std::string> running;
    size_t next = 0;
    int done = 0, failed = 0;
    bool stopping = false;
    while ((!stopping && next < todo.size()) || !running.empty()) {
        if (cli::interrupted() && !stopping) {
            stopping = true;
            std::cout << "stopping: asking " << running.size() << " running trials to stop\n";
            for (const auto& [pid, id] : running)
                ::kill(pid, SIGTERM);
        }
        while (!stopping && next < todo.size() && int(running.size()) < jobs) {
            const std::string& id = todo[next++];
            pid_t pid = spawnTrial(pinned, id, out, out / "logs" / (id + ".log"));
            if (pid < 0)
                return cli::report(
                    makeError("cannot start a trial process: " + std::string(std::strerror(errno)),
                              "check /proc/self/exe and free memory"));
            running[pid] = id;
        }
        int st = 0;
        pid_t pid = ::waitpid(-1, &st, WNOHANG);
        if (pid <= 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        auto it = running.find(pid);
        if (it == running.end())
            continue;
        const std::string id = it->second;
        running.erase(it);
        ++done;
        const int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        std::string line = "[" + std::to_string(done) + "/" + std::to_string(todo.size()) + "] ";
        if (auto text = readFile(dir->rowPath(id)); text) {
            if (auto r = rowFromJson(*text); r) {
                char buf[200];
                std::snprintf(buf, sizeof buf,
                              "trial %s %-11s %8lld params  val %.3f  test %.3f"
                              "  K=%d  %.0f s",
                              id.c_str(), r->mode().c_str(), r->params, r->val, r->test,
                              r->dendrites, r->seconds);
                line += buf;
                if (!r->finished()) {
                    line += "  " + r->status;
                    ++failed;
                }
            }
        } else {
            line += "trial " + id + " ended without a row (exit " + std::to_string(code) +
                    "; see logs/" + id + ".log)";
            if (!stopping)
                ++failed;
        }
        std::cout << line << "\n" << std::flush;
    }
    auto merged = dir->merge();
    if (!merged)
        return cli::report(merged.error());
    for (const auto& c : merged->corrupt)
        std::cerr << "warning: corrupt row " << c << "\n";
    std::cout << "merged " << merged->rows.size() << " rows into " << (out / "results.csv").string()
              << " and findings.md\n";
    if (stopping) {
        std::cout << "stopped; resume with the same command (finished trials are skipped)\n";
        return cli::kInterrupted;
    }
    return failed > 0 ? cli::kFailure : cli::kOk;
}

int cmdRun(const std::vector<std::string>& argv)
{
    auto args = cli::Args::parse(argv);
    if (!args)
        return cli::report(args.error());
    if (auto s = args->checkKnown({"out", "jobs", "project"}); !s)
        return cli::report(s.error());
    if (args->positional().size() != 1 || !args->has("out"))
        return cli::usageError("sweep run needs SWEEP.json and --out DIR",
                               "e.g. dendrite sweep run resources/sweeps/small.json --out s "
                               "--project demo --jobs 2");
    auto jobs = args->getInt("jobs", 1);
    if (!jobs)
        return cli::report(jobs.error());
    if (*jobs < 1 || *jobs > 256)
        return cli::usageError("--jobs must be between 1 and 256", "e.g. --jobs 2");
    auto spec = loadSpec(args->positional()[0], *args);
    if (!spec)
        return cli::report(spec.error());
    fs::path out = *args->get("out");
    if (spec->project.empty() && fs::exists(out / "sweep.json"))
        if (auto pinned = loadSweep(out / "sweep.json"); pinned)
            spec->project = pinned->project;
    return runSweep(*spec, out, *jobs);
}

// ---- status / merge / rerun -----------------------------------------------------------------
Result<SweepDir> openDir(const cli::Args& args, const char* what)
{
    if (args.positional().size() != 1)
        return makeError(std::string("sweep ") + what + " needs the sweep folder",
                         std::string("e.g. dendrite sweep ") + what + " sweep-out", cli::kUsage);
    return SweepDir::open(args.positional()[0]);
}

int cmdStatus(const std::vector<std::string>& argv)
{
    auto args = cli::Args::parse(argv, {"json"});
    if (!args)
        return cli::report(args.error());
    if (auto s = args->checkKnown({"json"}); !s)
        return cli::report(s.error());
    auto dir = openDir(*args, "status");
    if (!dir)
        return cli::report(dir.error());
    ScanResult s = dir->scan();
    int finished = 0, failed = 0;
    std::map<std::string, int> perMode;
    bool baseline = false;
    for (const auto& r : s.rows) {
        if (r.index < 0) {
            baseline = r.finished();
            continue;
        }
        (r.finished() ? finished : failed)++;
        if (r.finished())
            perMode[r.mode()]++;
    }
    if (args->has("json")) {
        nlohmann::json j;
        j["name"] = dir->spec().name;
        j["trials"] = s.total;
        j["finished"] = finished;
        j["failed"] = failed;
        j["running"] = s.running;
        j["corrupt"] = s.corrupt;
        j["pending"] = s.missing.size();
        j["baseline"] = baseline;
        j["per_mode"] = perMode;
        std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return cli::kOk;
    }
    std::cout << "sweep '" << dir->spec().name << "': " << s.total << " trials\n"
              << "  finished " << finished << " (";
    bool first = true;
    for (const auto& m : modeOrder())
        if (perMode.count(m)) {
            std::cout << (first ? "" : ", ") << m << " " << perMode[m];
            first = false;
        }
    std::cout << "), failed " << failed << ", running/claimed " << s.running.size() << ", corrupt "
              << s.corrupt.size() << ", pending " << s.missing.size() << "\n  baseline "
              << (baseline ? "finished" : "not run") << "\n";
    for (const auto& id : s.running)
        std::cout << "  claimed: " << id << "\n";
    for (const auto& c : s.corrupt)
        std::cout << "  corrupt: " << c << " (it reruns on resume)\n";
    return cli::kOk;
}

int cmdMerge(const std::vector<std::string>& argv)
{
    auto args = cli::Args::parse(argv);
    if (!args)
        return cli::report(args.error());
    if (auto s = args->checkKnown({}); !s)
        return cli::report(s.error());
    auto dir = openDir(*args, "merge");
    if (!dir)
        return cli::report(dir.error());
    auto m = dir->merge();
    if (!m)
        return cli::report(m.error());
    for (const auto& c : m->corrupt)
        std::cerr << "warning: corrupt row " << c
                  << " (left out of results.csv; `dendrite sweep run` reruns it)\n";
    std::cout << "merged " << m->rows.size() << " rows (" << m->missing.size() << " pending, "
              << m->running.size() << " running, " << m->corrupt.size() << " corrupt) into "
              << (dir->dir() / "results.csv").string() << "\n";
    std::cout << "\n" << findingsMarkdown(computeFindings(m->rows));
    return cli::kOk;
}

int cmdRerunFrontier(const std::vector<std::string>& argv)
{
    auto args = cli::Args::parse(argv);
    if (!args)
        return cli::report(args.error());
    if (auto s = args->checkKnown({"seeds", "jobs", "out"}); !s)
        return cli::report(s.error());
    auto dir = openDir(*args, "rerun-frontier");
    if (!dir)
        return cli::report(dir.error());
    auto seeds = args->getInt("seeds", 3);
    auto jobs = args->getInt("jobs", 1);
    if (!seeds || !jobs)
        return cli::report((!seeds ? seeds : jobs).error());
    if (*seeds < 1 || *seeds > 100 || *jobs < 1 || *jobs > 256)
        return cli::usageError("--seeds must be 1..100 and --jobs 1..256", "e.g. --seeds 3");
    ScanResult s = dir->scan();
    std::vector<TrialRow> front;
    for (const auto& m : modeOrder())
        for (size_t i : paretoFrontier(s.rows, m))
            front.push_back(s.rows[i]);
    if (front.empty())
        return cli::report(makeError("the sweep has no finished trials yet",
                                     "run some trials first", cli::kBadInput));
    SweepSpec re = frontierRerunSpec(dir->spec(), front, *seeds);
    const fs::path out = args->get("out", (dir->dir() / "frontier-rerun").string());
    const fs::path file = dir->dir() / "frontier-rerun.json";
    if (auto st = writeFileAtomic(file, re.toJson()); !st)
        return cli::report(st.error());
    std::cout << front.size() << " frontier trials x " << *seeds << " seeds -> " << re.trials
              << " trials (" << file.string() << ")\n";
    return runSweep(re, out, *jobs);
}

int run(const std::vector<std::string>& argv)
{
    if (argv.empty())
        return cli::usageError("sweep needs a subcommand",
                               "run, trial, status, merge, rerun-frontier or pareto");
    const std::string sub = argv[0];
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (sub == "run")
        return cmdRun(rest);
    if (sub == "trial")
        return cmdTrial(rest);
    if (sub == "status")
        return cmdStatus(rest);
    if (sub == "merge")
        return cmdMerge(rest);
    if (sub == "rerun-frontier")
        return cmdRerunFrontier(rest);
    if (sub == "pareto") {
#ifdef DW_HAVE_UI
        return cli::sweepParetoCommand(rest);
#else
        return cli::report(makeError("this dendrite was built without the GUI (DW_BUILD_GUI=OFF)",
                                     "plot results.csv elsewhere, or rebuild with the GUI",
                                     cli::kFailure));
#endif
    }
    return cli::usageError("unknown sweep subcommand '" + sub + "'",
                           "use run, trial, status, merge, rerun-frontier or pareto");
}
} // namespace

DW_REGISTER_COMMAND("sweep", kSynopsis,
                    "Hyperparameter sweeps: run locally, one trial for GNU parallel / Slurm, "
                    "status, merge, frontier reruns, Pareto plot.",
                    run);
