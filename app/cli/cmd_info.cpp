// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite info`: what a project holds.
#include "cli.h"

#include "dw/core/project.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace {
int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv, {"json"});
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown({"project", "json"}); !s)
        return dw::cli::report(s.error());
    std::string dir;
    if (auto p = args->get("project"))
        dir = *p;
    else if (args->positional().size() == 1)
        dir = args->positional()[0];
    else
        return dw::cli::usageError("--project DIR is missing", "write dendrite info --project DIR");
    auto project = dw::Project::open(dir); // a reader: changes nothing (issue 18)
    if (!project)
        return dw::cli::report(project.error());
    if (project->inUseBy() != 0) {
        const std::string who = project->inUseBy() > 0 ? "PID " + std::to_string(project->inUseBy())
                                : project->inUseHost().empty()
                                    ? std::string("an unknown process")
                                    : "a process on host '" + project->inUseHost() + "'";
        std::fprintf(stderr,
                     "note: the project is in use by %s (import running?); clips it is adding "
                     "now are not counted yet\n",
                     who.c_str());
    }
    const auto counts = project->counts();
    nlohmann::json prov;
    try {
        prov = nlohmann::json::parse(project->provenanceJson());
    } catch (const nlohmann::json::exception&) {
        prov = project->provenanceJson();
    }

    if (args->has("json")) {
        nlohmann::json j;
        j["project"] = dir;
        j["labels"] = project->labels();
        j["clips"] = project->clips().size();
        nlohmann::json c = nlohmann::json::object();
        for (const auto& [l, n] : counts)
            c[l] = {{"train", n[0]}, {"validation", n[1]}, {"test", n[2]}};
        j["counts"] = c;
        j["trash"] = project->trashedClips().size();
        j["open_report"] = project->openReport();
        j["in_use_by"] = project->inUseBy();
        j["provenance"] = prov;
        std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return dw::cli::kOk;
    }

    std::printf("project   %s\n", dir.c_str());
    std::printf("clips     %zu (%zu in trash)\n", project->clips().size(),
                project->trashedClips().size());
    std::printf("split     %d / %d / %d (train / validation / test %%)\n",
                100 - project->validationPercent() - project->testPercent(),
                project->validationPercent(), project->testPercent());
    std::printf("\n%-16s %6s %6s %6s %6s\n", "label", "train", "val", "test", "total");
    std::array<int, 3> sum{0, 0, 0};
    for (const auto& l : project->labels()) {
        const auto& n = counts.at(l);
        std::printf("%-16s %6d %6d %6d %6d\n", l.c_str(), n[0], n[1], n[2], n[0] + n[1] + n[2]);
        for (int k = 0; k < 3; ++k)
            sum[size_t(k)] += n[size_t(k)];
    }
    std::printf("%-16s %6d %6d %6d %6d\n", "(all)", sum[0], sum[1], sum[2],
                sum[0] + sum[1] + sum[2]);
    if (!project->openReport().empty()) {
        std::printf("\nrepairs on open (saved at the next change):\n");
        for (const auto& line : project->openReport())
            std::printf("  %s\n", line.c_str());
    }
    if (prov.is_object() && !prov.empty()) {
        std::printf("\nprovenance:\n");
        for (const auto& [k, v] : prov.items()) {
            std::string s = v.is_string()
                                ? v.get<std::string>()
                                : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            if (s.size() > 200)
                s = s.substr(0, 197) + "...";
            std::printf("  %-20s %s\n", k.c_str(), s.c_str());
        }
    }
    return dw::cli::kOk;
}
} // namespace

DW_REGISTER_COMMAND("info", "info --project DIR [--json]",
                    "Show a project's labels, clip counts per split and provenance.", run);
