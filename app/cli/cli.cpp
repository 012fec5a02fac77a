// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <iostream>

namespace dw::cli {

namespace {
std::map<std::string, Command>& registry()
{
    static std::map<std::string, Command> r; // function-local: safe during static registration
    return r;
}
std::atomic<bool> g_interrupted{false};
} // namespace

bool registerCommand(Command c)
{
    registry()[c.name] = std::move(c);
    return true;
}

const std::map<std::string, Command>& commands() { return registry(); }

bool interrupted() { return g_interrupted.load(); }

void installSignalHandlers()
{
    auto handler = [](int) { g_interrupted.store(true); };
    std::signal(SIGINT, handler);
    std::signal(SIGTERM, handler);
}

int report(const Error& e)
{
    std::cerr << "error: " << e.message << "\n";
    if (!e.hint.empty())
        std::cerr << "  hint: " << e.hint << "\n";
    return e.code == 0 ? kFailure : e.code;
}

Result<Args> Args::parse(const std::vector<std::string>& argv,
                         const std::vector<std::string>& flags)
{
    Args a;
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& s = argv[i];
        if (s.rfind("--", 0) == 0 && s.size() > 2) {
            std::string name = s.substr(2);
            std::string value;
            if (auto eq = name.find('='); eq != std::string::npos && name != "set") {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            } else if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
                value = "1";
            } else {
                if (i + 1 >= argv.size())
                    return makeError("option --" + name + " needs a value",
                                     "write it as --" + name + " VALUE", kUsage);
                value = argv[++i];
            }
            a.m_options.emplace(name, value);
        } else {
            a.m_positional.push_back(s);
        }
    }
    return a;
}

std::optional<std::string> Args::get(const std::string& name) const
{
    auto it = m_options.find(name);
    if (it == m_options.end())
        return std::nullopt;
    return it->second;
}

std::string Args::get(const std::string& name, const std::string& fallback) const
{
    return get(name).value_or(fallback);
}

std::vector<std::string> Args::getAll(const std::string& name) const
{
    std::vector<std::string> out;
    auto [b, e] = m_options.equal_range(name);
    for (auto it = b; it != e; ++it)
        out.push_back(it->second);
    return out;
}

Result<std::vector<std::pair<std::string, std::string>>> Args::sets() const
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& s : getAll("set")) {
        auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0)
            return makeError("--set '" + s + "' is not of the form name=value",
                             "write for example --set lr=0.005", kUsage);
        out.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
    return out;
}

Result<int> Args::getInt(const std::string& name, int fallback) const
{
    auto v = get(name);
    if (!v)
        return fallback;
    try {
        size_t pos = 0;
        int x = std::stoi(*v, &pos);
        if (pos == v->size())
            return x;
    } catch (...) {
    }
    return makeError("--" + name + " '" + *v + "' is not a whole number",
                     "write for example --" + name + " 3", kUsage);
}

Result<double> Args::getDouble(const std::string& name, double fallback) const
{
    auto v = get(name);
    if (!v)
        return fallback;
    try {
        size_t pos = 0;
        double x = std::stod(*v, &pos);
        if (pos == v->size() && std::isfinite(x))
            return x;
    } catch (...) {
    }
    return makeError("--" + name + " '" + *v + "' is not a number",
                     "write for example --" + name + " 0.5", kUsage);
}

Status Args::checkKnown(const std::vector<std::string>& known) const
{
    for (const auto& [k, v] : m_options) {
        if (std::find(known.begin(), known.end(), k) == known.end()) {
            std::string list;
            for (const auto& n : known)
                list += (list.empty() ? "--" : ", --") + n;
            return makeError("unknown option --" + k,
                             known.empty() ? "this command takes no options"
                                           : "this command knows " + list,
                             kUsage);
        }
    }
    return {};
}

} // namespace dw::cli
