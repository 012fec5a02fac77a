// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite verify RUN`: the C runtime (float32 and int8) against LibTorch on the whole test
// split: maximum probability difference and argmax agreement.
#include "cli.h"

#include "dw/core/dataset.h"
#include "dw/core/export.h"
#include "dw/core/project.h"
#include "dw/core/run_record.h"

#include <algorithm>
#include <iostream>

namespace {

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv, {"json"});
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown({"project", "calibration", "json"}); !s)
        return dw::cli::report(s.error());
    if (args->positional().size() != 1)
        return dw::cli::usageError("verify needs one run folder",
                                   "write: dendrite verify RUN [--project DIR]");
    const std::filesystem::path runDir = args->positional()[0];
    auto cal = args->getInt("calibration", 500);
    if (!cal)
        return dw::cli::report(cal.error());
    std::filesystem::path proj = args->get("project", "");
    if (proj.empty())
        proj = dw::projectOfRun(runDir);
    if (proj.empty())
        return dw::cli::report(dw::makeError(
            "cannot find the project of run '" + runDir.string() + "'",
            "runs live in <project>/runs/<run>; or give --project DIR", dw::cli::kBadInput));
    auto rec = dw::readRun(runDir);
    if (!rec) {
        dw::Error e = rec.error();
        e.code = dw::cli::kBadInput;
        return dw::cli::report(e);
    }
    auto project = dw::Project::open(proj);
    if (!project) {
        dw::Error e = project.error();
        e.code = dw::cli::kBadInput;
        return dw::cli::report(e);
    }
    auto data = dw::loadFeatureDataset(*project, rec->config.features, 0);
    if (!data) {
        dw::Error e = data.error();
        e.code = dw::cli::kBadInput;
        return dw::cli::report(e);
    }
    auto res = dw::verifyRun(runDir, *data, std::max(1, *cal));
    if (!res)
        return dw::cli::report(res.error());
    std::cout << (args->has("json") ? res->toJson() + "\n" : res->text());
    return dw::cli::kOk;
}

} // namespace

DW_REGISTER_COMMAND("verify", "verify RUN [--project DIR] [--calibration N] [--json]",
                    "Check the exported C runtime (float and int8) against LibTorch on the test "
                    "split.",
                    run);
