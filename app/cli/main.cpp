// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite`: the command line for every job of the workbench.
#include "cli.h"

#include <iomanip>
#include <iostream>

namespace dw::cli {
void installSignalHandlers();
}

namespace {
void printHelp()
{
    std::cout << "dendrite " DW_VERSION " - keyword spotting with artificial dendrites\n\n"
                 "usage: dendrite COMMAND [ARGS...]\n\ncommands:\n";
    for (const auto& [name, c] : dw::cli::commands())
        std::cout << "  " << std::left << std::setw(14) << name << c.summary << "\n";
    std::cout << "\n`dendrite COMMAND --help` shows a command's arguments.\n\n"
                 "exit codes: 0 success, 1 the job failed, 2 bad command line,\n"
                 "            3 bad input data (project, file or config), 4 interrupted\n";
}
} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printHelp();
        return args.empty() ? dw::cli::kUsage : dw::cli::kOk;
    }
    if (args[0] == "--version") {
        std::cout << "dendrite " DW_VERSION "\n";
        return 0;
    }
    const auto& cmds = dw::cli::commands();
    auto it = cmds.find(args[0]);
    if (it == cmds.end())
        return dw::cli::usageError("unknown command '" + args[0] + "'",
                                   "run `dendrite --help` for the list of commands");
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (!rest.empty() && (rest[0] == "--help" || rest[0] == "-h")) {
        std::cout << "usage: dendrite " << it->second.synopsis << "\n\n"
                  << it->second.summary << "\n";
        return 0;
    }
    dw::cli::installSignalHandlers();
    try {
        return it->second.run(rest);
    } catch (const std::exception& e) {
        return dw::cli::report(dw::makeError(std::string("internal error: ") + e.what(),
                                             "please report this with the command you ran"));
    }
}
