// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The `dendrite` command line: each command lives in its own cmd_<name>.cpp and registers itself
// with DW_REGISTER_COMMAND. Errors are printed in one style: "error: <what>\n  hint: <what to do>".

#include "dw/core/result.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dw::cli {

// Exit codes (documented in `dendrite --help`).
enum ExitCode : int {
    kOk = 0,
    kFailure = 1,      // the job ran and failed (I/O, training diverged, ...)
    kUsage = 2,        // bad command line: unknown option, missing argument, bad value
    kBadInput = 3,     // bad input data: unreadable project, corrupt file, invalid config
    kInterrupted = 4,  // stopped by a signal; state saved where possible
};

// Parsed command line: options are "--name value" or "--flag"; "--set k=v" may repeat.
class Args
{
public:
    // flags: option names that take no value (e.g. "resume", "json").
    static Result<Args> parse(const std::vector<std::string>& argv,
                              const std::vector<std::string>& flags = {});

    const std::vector<std::string>& positional() const { return m_positional; }
    bool has(const std::string& name) const { return m_options.count(name) > 0; }
    std::optional<std::string> get(const std::string& name) const;
    std::string get(const std::string& name, const std::string& fallback) const;
    std::vector<std::string> getAll(const std::string& name) const;
    // Every "--set k=v" as (k, v) in order; an Error when one has no '='.
    Result<std::vector<std::pair<std::string, std::string>>> sets() const;
    Result<int> getInt(const std::string& name, int fallback) const;
    Result<double> getDouble(const std::string& name, double fallback) const;
    // An Error naming the first option not in `known` (so typos never pass silently).
    Status checkKnown(const std::vector<std::string>& known) const;

private:
    std::vector<std::string> m_positional;
    std::multimap<std::string, std::string> m_options;
};

struct Command {
    std::string name;
    std::string synopsis; // one line: "features FILE.wav [--set name=value ...]"
    std::string summary;  // one sentence for `dendrite --help`
    std::function<int(const std::vector<std::string>& args)> run;
};

bool registerCommand(Command c);
const std::map<std::string, Command>& commands();

// Prints "error: message" and "  hint: hint" to stderr; returns the error's code.
int report(const Error& e);
inline int usageError(const std::string& message, const std::string& hint)
{
    return report(makeError(message, hint, kUsage));
}

// Set by SIGINT/SIGTERM handlers; long jobs poll it and stop cleanly.
bool interrupted();

} // namespace dw::cli

#define DW_CLI_CAT2(a, b) a##b
#define DW_CLI_CAT(a, b) DW_CLI_CAT2(a, b)
#define DW_REGISTER_COMMAND(...)                                                                   \
    static const bool DW_CLI_CAT(dwCommandRegistered_, __LINE__) =                                 \
        ::dw::cli::registerCommand(::dw::cli::Command{__VA_ARGS__})
