// SPDX-License-Identifier: GPL-3.0-or-later
#include "train_common.h"

#include "dw/core/atomic_file.h"
#include "dw/core/project.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace dw::cli {

namespace {
Error asUsage(Error e)
{
    e.code = kUsage;
    return e;
}
} // namespace

Result<TrainConfig> buildConfig(const Args& args, const std::string& projectDir)
{
    auto project = Project::open(projectDir);
    if (!project) {
        Error e = project.error();
        e.code = kBadInput;
        return e;
    }
    TrainConfig c;
    c.features = project->featureConfig();
    if (auto file = args.get("config")) {
        auto text = readFile(*file);
        if (!text) {
            Error e = text.error();
            e.code = kUsage;
            return e;
        }
        auto j = nlohmann::json::parse(*text, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return makeError("'" + *file + "' is not a JSON object",
                             "write it as {\"mode\": \"cc\", \"n_patience\": 25}", kUsage);
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (it.key() == "started_at" || it.key() == "lr_scheduler" || it.key() == "labels")
                continue;
            if (it.key() == "features") {
                auto f = FeatureConfig::fromJson(
                    it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
                if (!f)
                    return asUsage(f.error());
                c.features = *f;
                continue;
            }
            std::string v = it->is_string() ? it->get<std::string>()
                                            : it->dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace);
            if (auto s = c.set(it.key(), v); !s) {
                Error e = s.error();
                e.message = "in " + *file + ": " + e.message;
                return asUsage(e);
            }
        }
    }
    if (auto m = args.get("model"))
        if (auto s = c.set("model", *m); !s)
            return asUsage(s.error());
    if (auto m = args.get("mode"))
        if (auto s = c.set("mode", *m); !s)
            return asUsage(s.error());
    auto sets = args.sets();
    if (!sets)
        return sets.error();
    for (const auto& [k, v] : *sets)
        if (auto s = c.set(k, v); !s)
            return asUsage(s.error());
    if (auto s = c.validate(); !s)
        return asUsage(s.error());
    return c;
}

Result<FeatureDataset> loadData(const std::string& projectDir, const FeatureConfig& features,
                                bool quiet)
{
    auto project = Project::open(projectDir);
    if (!project) {
        Error e = project.error();
        e.code = kBadInput;
        return e;
    }
    int last = -1;
    auto progress = [&](int done, int total) {
        if (quiet || total <= 0)
            return;
        int pct = done * 100 / total;
        if (pct / 10 != last / 10 || done == total) {
            std::fprintf(stderr, "\rfeatures: %d / %d clips", done, total);
            if (done == total)
                std::fprintf(stderr, "\n");
            last = pct;
        }
    };
    auto data = loadFeatureDataset(*project, features, 0, progress);
    if (!data) {
        Error e = data.error();
        e.code = kBadInput;
        return e;
    }
    return data;
}

std::pair<std::string, std::string> sourceFile(const std::string& projectDir)
{
    std::error_code ec;
    auto abs = std::filesystem::absolute(projectDir, ec);
    nlohmann::json j{{"project", (ec ? std::filesystem::path(projectDir) : abs).string()}};
    return {"source.json", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)};
}

Result<std::string> runProject(const std::filesystem::path& runDir)
{
    auto text = readFile(runDir / "source.json");
    if (!text)
        return makeError("'" + runDir.string() + "' is not a run started by dendrite train",
                         "pass the folder given to dendrite train --out", kUsage);
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.contains("project") || !j["project"].is_string())
        return makeError("source.json of '" + runDir.string() + "' is damaged", "start a new run",
                         kBadInput);
    return j["project"].get<std::string>();
}

Result<TrainConfig> runConfig(const std::filesystem::path& runDir)
{
    auto text = readFile(runDir / "config.json");
    if (!text)
        return makeError("'" + runDir.string() + "' has no config.json",
                         "pass the folder given to dendrite train --out", kUsage);
    auto c = TrainConfig::fromJson(*text);
    if (!c) {
        Error e = c.error();
        e.code = kBadInput;
        return e;
    }
    return c;
}

std::string formatDendrites(const std::vector<int>& k)
{
    std::string s = "[";
    for (size_t i = 0; i < k.size(); ++i) {
        if (i)
            s += ",";
        s += std::to_string(k[i]);
    }
    return s + "]";
}

ConsoleObserver::ConsoleObserver(bool quiet, std::string prefix)
{
    observer.shouldStop = [] { return interrupted(); };
    if (quiet)
        return;
    observer.onEpoch = [prefix](const EpochRecord& e) {
        std::string extra;
        if (e.phase == 'P') {
            extra = " cand";
            char b[32];
            for (double s : e.candidate_scores) {
                std::snprintf(b, sizeof b, " %.2g", s);
                extra += b;
            }
        }
        std::printf("%sepoch %3d %c K=%s params %lld loss %.4f acc %.3f val %.3f test %.3f "
                    "lr %.2g %.2fs%s\n",
                    prefix.c_str(), e.epoch, e.phase, formatDendrites(e.dendrites).c_str(),
                    e.params, e.train_loss, e.train_accuracy, e.val_accuracy, e.test_accuracy, e.lr,
                    e.seconds, extra.c_str());
        std::fflush(stdout);
    };
    observer.onSwitch = [prefix](const SwitchRecord& s) {
        std::printf("%s-- %s after epoch %d: K=%d params %lld (%s)\n", prefix.c_str(),
                    s.kind.c_str(), s.epoch, s.dendrites, s.params, s.note.c_str());
        std::fflush(stdout);
    };
}

int printSummary(const RunSummary& s, const std::filesystem::path& runDir)
{
    std::printf("\n%-12s %8s %8s %8s %10s %6s %8s\n", "mode", "params", "val", "test", "dendrites",
                "best", "seconds");
    std::printf("%-12s %8lld %8.4f %8.4f %10s %6d %8.1f\n", s.mode.c_str(), s.params,
                s.val_accuracy, s.test_accuracy, formatDendrites(s.dendrites).c_str(), s.best_epoch,
                s.seconds);
    std::printf("status: %s (%s); run folder %s\n", s.status.c_str(), s.stop_reason.c_str(),
                runDir.c_str());
    if (s.status == "stopped")
        return kInterrupted;
    if (s.status == "failed")
        return kFailure;
    return kOk;
}

} // namespace dw::cli
