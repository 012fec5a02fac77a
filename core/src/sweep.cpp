// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/core/sweep.h"

#include "dw/core/atomic_file.h"
#include "dw/core/train_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <set>
#include <sstream>
#include <unistd.h>

namespace dw::sweep {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// splitmix64: tiny, fully specified, identical on every platform (std distributions are not).
uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class Rng
{
public:
    explicit Rng(uint64_t seed) : m_state(seed) {}
    uint64_t next()
    {
        m_state += 0x9e3779b97f4a7c15ULL;
        uint64_t z = m_state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); } // [0,1)
    size_t below(size_t n) { return size_t(uniform() * double(n)) % n; }

private:
    uint64_t m_state;
};

const std::vector<std::string>& featureKnobNames()
{
    static const std::vector<std::string> names = {
        "num_cepstral", "frame_length",  "frame_stride",   "num_filters", "fft_length",
        "win_size",     "low_frequency", "high_frequency", "pre_cof"};
    return names;
}

std::string fmtDouble(double v, int digits = 6)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

std::string hostName()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return "unknown";
    return buf;
}

std::string joinNames(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& n : v)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

size_t knobRank(const std::string& name)
{
    const auto& order = specKnobNames();
    auto it = std::find(order.begin(), order.end(), name);
    if (it != order.end())
        return size_t(it - order.begin());
    const auto& feat = featureKnobNames();
    auto jt = std::find(feat.begin(), feat.end(), name);
    return order.size() + (jt != feat.end() ? size_t(jt - feat.begin()) : feat.size());
}

void sortBySpecOrder(KnobValues& kv)
{
    std::stable_sort(kv.begin(), kv.end(), [](const auto& a, const auto& b) {
        const size_t ra = knobRank(a.first), rb = knobRank(b.first);
        return ra != rb ? ra < rb : a.first < b.first;
    });
}

// A JSON value of a knob as TrainConfig::set text; an Error for null/objects.
Result<std::string> valueText(const json& v, const std::string& knob)
{
    switch (v.type()) {
    case json::value_t::string:
        return v.get<std::string>();
    case json::value_t::boolean:
        return std::string(v.get<bool>() ? "true" : "false");
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case json::value_t::array: {
        if (v.empty())
            return makeError("knob '" + knob + "' has an empty list as a value",
                             "give at least one number, e.g. [0]");
        std::string s;
        for (const auto& item : v) {
            if (!item.is_number())
                return makeError("knob '" + knob + "': list values must hold numbers only",
                                 "e.g. [0.001, 0.0001, 0]");
            s += (s.empty() ? "" : ",") +
                 item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        return s;
    }
    default:
        return makeError("knob '" + knob + "' has a value of the wrong type (" +
                             std::string(v.type_name()) + ")",
                         "use a number, a string, true/false or a list of numbers");
    }
}

Status checkKnob(const std::string& name, const std::vector<std::string>& known,
                 const std::string& where)
{
    if (std::find(known.begin(), known.end(), name) != known.end())
        return {};
    return makeError("unknown knob '" + name + "' in " + where,
                     "knob names are those of `dendrite train --set` (perforated-backprop.md "
                     "section 8): " +
                         joinNames(known));
}

Result<KnobValues> parseKnobObject(const json& obj, const std::vector<std::string>& known,
                                   const std::string& where)
{
    if (!obj.is_object())
        return makeError(where + " must be a JSON object of knob: value",
                         "e.g. {\"model\": \"custom\"}");
    KnobValues kv;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (auto s = checkKnob(it.key(), known, where); !s)
            return s.error();
        auto t = valueText(it.value(), it.key());
        if (!t)
            return t.error();
        kv.emplace_back(it.key(), *t);
    }
    return kv;
}

Result<KnobSpec> parseKnobSpec(const std::string& name, const json& v)
{
    KnobSpec k;
    k.name = name;
    const json* list = nullptr;
    if (v.is_array()) {
        list = &v;
    } else if (v.is_object() && v.contains("values")) {
        list = &v["values"];
        if (!list->is_array())
            return makeError("knob '" + name + "': \"values\" must be a list",
                             "e.g. \"" + name + "\": [1, 2, 3]");
    }
    if (list) {
        if (list->empty())
            return makeError("knob '" + name + "' has an empty list of values",
                             "give at least one value, or remove the knob to keep its default");
        std::set<std::string> seen;
        for (const auto& item : *list) {
            auto t = valueText(item, name);
            if (!t)
                return t.error();
            if (!seen.insert(*t).second)
                return makeError("knob '" + name + "' lists the value " + *t + " twice",
                                 "list each value once (repeats skew random search)");
            k.values.push_back(*t);
        }
        return k;
    }
    if (!v.is_object())
        return makeError("knob '" + name + "' must be a list of values or a range",
                         "e.g. [0.1, 0.3] or {\"min\": 0.1, \"max\": 0.5}");
    for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string& f = it.key();
        if (f != "min" && f != "max" && f != "log" && f != "integer")
            return makeError("knob '" + name + "': unknown range field '" + f + "'",
                             "a range has \"min\", \"max\" and optional \"log\", \"integer\"");
    }
    if (!v.contains("min") || !v.contains("max") || !v["min"].is_number() || !v["max"].is_number())
        return makeError("knob '" + name + "': a range needs numeric \"min\" and \"max\"",
                         "e.g. {\"min\": 0.1, \"max\": 0.5}");
    k.isRange = true;
    k.min = v["min"].get<double>();
    k.max = v["max"].get<double>();
    k.log = v.value("log", false);
    k.integer = v.value("integer", false);
    if (!std::isfinite(k.min) || !std::isfinite(k.max) || k.min > k.max)
        return makeError("knob '" + name + "': range min " + fmtDouble(k.min) + " is above max " +
                             fmtDouble(k.max),
                         "swap them");
    if (k.log && k.min <= 0)
        return makeError("knob '" + name + "': a log range needs min > 0",
                         "use a positive min, or drop \"log\"");
    if (k.integer && (std::floor(k.min) != k.min || std::floor(k.max) != k.max))
        return makeError("knob '" + name + "': an integer range needs whole min and max",
                         "e.g. {\"min\": 5, \"max\": 30, \"integer\": true}");
    return k;
}

std::string drawRange(const KnobSpec& k, Rng& rng)
{
    const double u = rng.uniform();
    if (k.integer) {
        double v;
        if (k.log)
            v = std::floor(std::exp(std::log(k.min) + u * (std::log(k.max + 1) - std::log(k.min))));
        else
            v = std::floor(k.min + u * (k.max - k.min + 1));
        v = std::clamp(v, k.min, k.max);
        return std::to_string(static_cast<long long>(v));
    }
    const double v = k.log ? std::exp(std::log(k.min) + u * (std::log(k.max) - std::log(k.min)))
                           : k.min + u * (k.max - k.min);
    return fmtDouble(std::clamp(v, k.min, k.max));
}

const KnobSpec* findKnob(const SweepSpec& spec, const std::string& name)
{
    for (const auto& k : spec.knobs)
        if (k.name == name)
            return &k;
    return nullptr;
}

bool stratifiedByMode(const SweepSpec& spec)
{
    if (spec.search != "random" || spec.stratify != "mode")
        return false;
    const KnobSpec* m = findKnob(spec, "mode");
    return m && !m->isRange && m->values.size() > 1;
}

int autoSeed(const SweepSpec& spec, uint64_t drawIndex)
{
    return int(mix64(mix64(spec.seed) ^ (drawIndex * 0x632be59bd9b4e019ULL)) % 2147483646ULL) + 1;
}

void setKnob(KnobValues& kv, const std::string& name, const std::string& value)
{
    for (auto& [n, v] : kv)
        if (n == name) {
            v = value;
            return;
        }
    kv.emplace_back(name, value);
}

bool hasKnob(const KnobValues& kv, const std::string& name)
{
    return std::any_of(kv.begin(), kv.end(), [&](const auto& p) { return p.first == name; });
}

json knobValuesJson(const KnobValues& kv)
{
    json o = json::object();
    for (const auto& [n, v] : kv)
        o[n] = v;
    return o;
}

std::string nowText()
{
    return std::to_string(static_cast<long long>(std::time(nullptr)));
}

// CSV cell quoting (RFC 4180).
std::string csvCell(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char c : s)
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::vector<std::vector<std::string>> parseCsv(const std::string& text)
{
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false, any = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell += c;
            }
            continue;
        }
        if (c == '"') {
            quoted = true;
            any = true;
        } else if (c == ',') {
            row.push_back(cell);
            cell.clear();
            any = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            if (any || !cell.empty()) {
                row.push_back(cell);
                rows.push_back(row);
            }
            row.clear();
            cell.clear();
            any = false;
        } else {
            cell += c;
            any = true;
        }
    }
    if (any || !cell.empty()) {
        row.push_back(cell);
        rows.push_back(row);
    }
    return rows;
}

} // namespace

const std::vector<std::string>& specKnobNames()
{
    // The config's training knobs (feature knobs come from the project), in its order; conv_dim
    // is not part of the paper's space.
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& k : dw::TrainConfig::trainingKnobNames())
            if (k != "conv_dim")
                n.push_back(k);
        return n;
    }();
    return names;
}

const std::vector<std::string>& modeOrder()
{
    static const std::vector<std::string> m = {"traditional", "gd", "cc"};
    return m;
}

std::string knobValueText(const std::string& jsonValue)
{
    json v = json::parse(jsonValue, nullptr, false);
    if (v.is_discarded())
        return jsonValue;
    auto t = valueText(v, "value");
    return t ? *t : jsonValue;
}

// ---- parsing ------------------------------------------------------------------------------

Result<SweepSpec> parseSweep(const std::string& text, const fs::path& baseDir,
                             const std::vector<std::string>& knownIn)
{
    std::vector<std::string> known = knownIn;
    if (known.empty()) {
        known = specKnobNames();
        known.insert(known.end(), featureKnobNames().begin(), featureKnobNames().end());
    }
    json root = json::parse(text, nullptr, false);
    if (root.is_discarded())
        return makeError("the sweep file is not valid JSON",
                         "check commas and quotes; resources/sweeps/small.json is an example", 3);
    if (!root.is_object())
        return makeError("the sweep file must hold one JSON object", "see resources/sweeps/", 3);

    static const std::set<std::string> fields = {
        "name",   "description", "project", "search", "trials",  "seed",     "stratify",
        "paired", "epochs_max",  "fixed",   "knobs",  "configs", "baseline", "comment"};
    for (auto it = root.begin(); it != root.end(); ++it)
        if (!fields.count(it.key()))
            return makeError("unknown field '" + it.key() + "' in the sweep file",
                             "fields are: name, description, project, search, trials, seed, "
                             "stratify, paired, epochs_max, fixed, knobs, configs, baseline; "
                             "knobs go inside \"knobs\" or \"fixed\"",
                             3);
    auto err = [](std::string m, std::string h) {
        return makeError(std::move(m), std::move(h), 3);
    };

    SweepSpec spec;
    try {
        spec.name = root.value("name", std::string("sweep"));
        spec.description = root.value("description", std::string());
        spec.search = root.value("search", std::string("random"));
        if (spec.search != "random" && spec.search != "grid" && spec.search != "list")
            return err("\"search\" is '" + spec.search + "'", "use random, grid or list");
        if (root.contains("seed")) {
            if (!root["seed"].is_number_integer() || root["seed"].get<long long>() < 0)
                return err("\"seed\" must be a whole number >= 0", "e.g. \"seed\": 1");
            spec.seed = root["seed"].get<uint64_t>();
        }
        if (root.contains("stratify")) {
            const json& s = root["stratify"];
            if (s.is_null() || (s.is_boolean() && !s.get<bool>()))
                spec.stratify.clear();
            else if (s.is_string() && (s == "mode" || s == "" || s == "none"))
                spec.stratify = s == "mode" ? "mode" : "";
            else
                return err("\"stratify\" must be \"mode\" or \"none\"",
                           "\"mode\" gives every model type the same number of trials");
        }
        if (root.contains("paired")) {
            if (!root["paired"].is_boolean())
                return err("\"paired\" must be true or false", "");
            spec.paired = root["paired"].get<bool>();
        }
        if (root.contains("project")) {
            if (!root["project"].is_string())
                return err("\"project\" must be a path string", "");
            fs::path p = root["project"].get<std::string>();
            if (!p.empty() && p.is_relative() && !baseDir.empty())
                p = baseDir / p;
            spec.project = p.empty() ? p : fs::weakly_canonical(p);
        }
        if (root.contains("fixed")) {
            auto kv = parseKnobObject(root["fixed"], known, "\"fixed\"");
            if (!kv)
                return kv.error();
            spec.fixed = *kv;
        }
        if (root.contains("epochs_max")) {
            const json& e = root["epochs_max"];
            if (!e.is_number_integer() || e.get<long long>() < 1 || e.get<long long>() > 100000)
                return err("\"epochs_max\" (the per-trial epoch cap) must be a whole number >= 1",
                           "e.g. \"epochs_max\": 40");
            setKnob(spec.fixed, "epochs_max", std::to_string(e.get<long long>()));
        }
        if (root.contains("knobs")) {
            const json& k = root["knobs"];
            if (!k.is_object())
                return err("\"knobs\" must be an object of knob: values", "");
            for (auto it = k.begin(); it != k.end(); ++it) {
                if (auto s = checkKnob(it.key(), known, "\"knobs\""); !s)
                    return makeError(s.error().message, s.error().hint, 3);
                if (hasKnob(spec.fixed, it.key()))
                    return err("knob '" + it.key() + "' is both fixed and varied",
                               "remove it from \"fixed\" or from \"knobs\"");
                auto ks = parseKnobSpec(it.key(), it.value());
                if (!ks)
                    return makeError(ks.error().message, ks.error().hint, 3);
                spec.knobs.push_back(*ks);
            }
        }
        if (root.contains("configs")) {
            if (spec.search != "list")
                return err("\"configs\" is only used with \"search\": \"list\"",
                           "set \"search\": \"list\" or move the values into \"knobs\"");
            if (!root["configs"].is_array())
                return err("\"configs\" must be a list of objects", "");
            int i = 0;
            for (const auto& c : root["configs"]) {
                auto kv = parseKnobObject(c, known, "\"configs\"[" + std::to_string(i++) + "]");
                if (!kv)
                    return makeError(kv.error().message, kv.error().hint, 3);
                spec.configs.push_back(*kv);
            }
        }
        if (root.contains("baseline")) {
            auto kv = parseKnobObject(root["baseline"], known, "\"baseline\"");
            if (!kv)
                return makeError(kv.error().message, kv.error().hint, 3);
            spec.baseline = *kv;
        }
        const bool hasTrials = root.contains("trials");
        long long trials = 0;
        if (hasTrials) {
            if (!root["trials"].is_number_integer())
                return err("\"trials\" must be a whole number", "e.g. \"trials\": 800");
            trials = root["trials"].get<long long>();
        }
        if (spec.search == "random") {
            if (!hasTrials || trials < 1 || trials > 1000000)
                return err("random search needs \"trials\" between 1 and 1000000",
                           "e.g. \"trials\": 800");
            if (spec.knobs.empty())
                return err("random search needs at least one knob in \"knobs\"",
                           "e.g. \"knobs\": {\"mode\": [\"traditional\", \"gd\", \"cc\"]}");
            spec.trials = int(trials);
        } else if (spec.search == "grid") {
            if (spec.knobs.empty())
                return err("grid search needs at least one knob in \"knobs\"", "");
            long long n = 1;
            for (const auto& k : spec.knobs) {
                if (k.isRange)
                    return err("knob '" + k.name + "' is a range; grid search needs a list",
                               "give a list of values, or use \"search\": \"random\"");
                n *= static_cast<long long>(k.values.size());
                if (n > 1000000)
                    return err("the grid has more than 1000000 combinations",
                               "list fewer values, or use random search");
            }
            if (hasTrials && trials != n)
                return err("\"trials\" is " + std::to_string(trials) + " but the grid has " +
                               std::to_string(n) + " combinations",
                           "remove \"trials\" or set it to " + std::to_string(n));
            spec.trials = int(n);
        } else {
            if (spec.configs.empty())
                return err("list search needs a non-empty \"configs\" list", "");
            if (!spec.knobs.empty())
                return err("list search takes \"configs\", not \"knobs\"", "");
            if (hasTrials && trials != long(spec.configs.size()))
                return err("\"trials\" does not match the number of \"configs\"",
                           "remove \"trials\"");
            spec.trials = int(spec.configs.size());
        }
    } catch (const std::exception& e) {
        return err(std::string("the sweep file has a value of the wrong type: ") + e.what(),
                   "compare with resources/sweeps/small.json");
    }
    std::sort(spec.knobs.begin(), spec.knobs.end(),
              [](const KnobSpec& a, const KnobSpec& b) { return a.name < b.name; });
    return spec;
}

Result<SweepSpec> loadSweep(const fs::path& file, const std::vector<std::string>& known)
{
    auto text = readFile(file);
    if (!text)
        return makeError("cannot read the sweep file '" + file.string() + "'",
                         "check the path; resources/sweeps/ has examples", 3);
    auto spec = parseSweep(*text, fs::absolute(file).parent_path(), known);
    if (!spec)
        return makeError(file.filename().string() + ": " + spec.error().message, spec.error().hint,
                         spec.error().code);
    return spec;
}

std::string SweepSpec::toJson() const
{
    json o;
    o["name"] = name;
    o["description"] = description;
    o["search"] = search;
    o["trials"] = trials;
    o["seed"] = seed;
    o["stratify"] = stratify.empty() ? std::string("none") : stratify;
    o["paired"] = paired;
    o["project"] = project.string();
    o["fixed"] = knobValuesJson(fixed);
    json k = json::object();
    for (const auto& ks : knobs) {
        if (ks.isRange) {
            json r;
            r["min"] = ks.min;
            r["max"] = ks.max;
            if (ks.log)
                r["log"] = true;
            if (ks.integer)
                r["integer"] = true;
            k[ks.name] = r;
        } else {
            k[ks.name] = ks.values;
        }
    }
    o["knobs"] = k;
    if (search == "list") {
        json c = json::array();
        for (const auto& kv : configs)
            c.push_back(knobValuesJson(kv));
        o["configs"] = c;
    }
    if (baseline)
        o["baseline"] = knobValuesJson(*baseline);
    return o.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// ---- trials -------------------------------------------------------------------------------

std::string trialId(int index)
{
    if (index < 0)
        return "baseline";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%06d", index);
    return buf;
}

Result<Trial> makeTrial(const SweepSpec& spec, int index)
{
    if (index < 0 || index >= spec.trials)
        return makeError("trial index " + std::to_string(index) + " is out of range",
                         "this sweep has trials 0.." + std::to_string(spec.trials - 1), 2);
    Trial t;
    t.index = index;
    t.id = trialId(index);
    t.knobs = spec.fixed;
    uint64_t drawIndex = uint64_t(index);
    if (spec.search == "random") {
        const bool strat = stratifiedByMode(spec);
        const KnobSpec* modeKnob = findKnob(spec, "mode");
        const size_t nModes = strat ? modeKnob->values.size() : 1;
        if (strat && spec.paired)
            drawIndex = uint64_t(index) / nModes;
        Rng rng(mix64(spec.seed) ^ mix64(drawIndex + 0x5eedULL));
        for (const auto& k : spec.knobs) {
            if (strat && k.name == "mode")
                continue;
            setKnob(t.knobs, k.name,
                    k.isRange ? drawRange(k, rng) : k.values[rng.below(k.values.size())]);
        }
        if (strat)
            setKnob(t.knobs, "mode", modeKnob->values[size_t(index) % nModes]);
    } else if (spec.search == "grid") {
        size_t rest = size_t(index);
        for (auto it = spec.knobs.rbegin(); it != spec.knobs.rend(); ++it) {
            setKnob(t.knobs, it->name, it->values[rest % it->values.size()]);
            rest /= it->values.size();
        }
    } else {
        for (const auto& [n, v] : spec.configs[size_t(index)])
            setKnob(t.knobs, n, v);
    }
    if (!hasKnob(t.knobs, "seed"))
        setKnob(t.knobs, "seed", std::to_string(autoSeed(spec, drawIndex)));
    sortBySpecOrder(t.knobs);
    return t;
}

Result<Trial> makeBaselineTrial(const SweepSpec& spec)
{
    if (!spec.baseline)
        return makeError("this sweep defines no baseline",
                         "add \"baseline\": {\"model\": \"ei1d\", \"mode\": \"traditional\"} to "
                         "the sweep file",
                         2);
    Trial t;
    t.index = -1;
    t.id = "baseline";
    t.knobs = spec.fixed;
    for (const auto& [n, v] : *spec.baseline)
        setKnob(t.knobs, n, v);
    if (!hasKnob(t.knobs, "seed"))
        setKnob(t.knobs, "seed", std::to_string(autoSeed(spec, 0xba5e11e5ULL)));
    sortBySpecOrder(t.knobs);
    return t;
}

// ---- rows ---------------------------------------------------------------------------------

std::string TrialRow::mode() const
{
    auto it = knobs.find("mode");
    return it == knobs.end() ? std::string("traditional") : it->second;
}

std::string rowToJson(const TrialRow& r)
{
    json o;
    o["id"] = r.id;
    o["index"] = r.index;
    o["knobs"] = r.knobs;
    o["params"] = r.params;
    o["val"] = r.val;
    o["test"] = r.test;
    o["test_n"] = r.testCount;
    o["dendrites"] = r.dendrites;
    o["seconds"] = r.seconds;
    o["status"] = r.status;
    o["run"] = r.run;
    return o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<TrialRow> rowFromJson(const std::string& text)
{
    json o = json::parse(text, nullptr, false);
    if (o.is_discarded())
        return makeError("not valid JSON (torn or corrupted write)", "rerun the trial", 3);
    if (!o.is_object())
        return makeError("not a JSON object", "rerun the trial", 3);
    TrialRow r;
    try {
        for (const char* f : {"id", "index", "params", "val", "test", "status"})
            if (!o.contains(f))
                return makeError(std::string("field '") + f + "' is missing", "rerun the trial", 3);
        r.id = o.at("id").get<std::string>();
        r.index = o.at("index").get<int>();
        if (o.contains("knobs"))
            for (auto it = o["knobs"].begin(); it != o["knobs"].end(); ++it)
                r.knobs[it.key()] =
                    it.value().is_string()
                        ? it.value().get<std::string>()
                        : it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        r.params = o.at("params").get<long long>();
        r.val = o.at("val").get<double>();
        r.test = o.at("test").get<double>();
        r.testCount = o.value("test_n", 0);
        r.dendrites = o.value("dendrites", 0);
        r.seconds = o.value("seconds", 0.0);
        r.status = o.at("status").get<std::string>();
        r.run = o.value("run", std::string());
    } catch (const std::exception& e) {
        return makeError(std::string("a field has the wrong type: ") + e.what(), "rerun the trial",
                         3);
    }
    if (r.params < 0 || r.val < 0 || r.val > 1 || r.test < 0 || r.test > 1 || r.testCount < 0)
        return makeError("values out of range (params < 0 or an accuracy outside 0..1)",
                         "rerun the trial", 3);
    return r;
}

// ---- sweep directory ----------------------------------------------------------------------

Result<SweepDir> SweepDir::create(const fs::path& dir, const SweepSpec& specIn)
{
    SweepSpec spec = specIn;
    std::error_code ec;
    for (const char* sub : {"claims", "rows", "runs"}) {
        fs::create_directories(dir / sub, ec);
        if (ec)
            return makeError("cannot create the sweep folder '" + (dir / sub).string() +
                                 "': " + ec.message(),
                             "check the --out path and its permissions");
    }
    const fs::path pinned = dir / "sweep.json";
    if (fs::exists(pinned)) {
        auto old = loadSweep(pinned);
        if (!old)
            return makeError("'" + pinned.string() + "' is unreadable: " + old.error().message,
                             "use a new --out folder", 3);
        if (spec.project.empty())
            spec.project = old->project;
        if (old->toJson() != spec.toJson())
            return makeError("'" + dir.string() + "' holds a different sweep (sweep.json differs)",
                             "use a new --out folder, or the sweep file it was started with", 3);
    } else {
        // Several array tasks may race here; they write identical bytes, rename is atomic.
        if (auto s = writeFileAtomic(pinned, spec.toJson()); !s)
            return s.error();
    }
    SweepDir d;
    d.m_dir = dir;
    d.m_spec = spec;
    return d;
}

Result<SweepDir> SweepDir::open(const fs::path& dir)
{
    const fs::path pinned = dir / "sweep.json";
    if (!fs::exists(pinned))
        return makeError("'" + dir.string() + "' is not a sweep folder (no sweep.json)",
                         "pass the --out folder of `dendrite sweep run` or `sweep trial`", 3);
    auto spec = loadSweep(pinned);
    if (!spec)
        return spec.error();
    SweepDir d;
    d.m_dir = dir;
    d.m_spec = *spec;
    return d;
}

fs::path SweepDir::rowPath(const std::string& id) const
{
    return m_dir / "rows" / (id + ".json");
}
fs::path SweepDir::runPath(const std::string& id) const
{
    return m_dir / "runs" / id;
}
fs::path SweepDir::claimPath(const std::string& id) const
{
    return m_dir / "claims" / id;
}

bool SweepDir::hasRow(const std::string& id) const
{
    auto text = readFile(rowPath(id));
    return text && rowFromJson(*text).ok();
}

Result<SweepDir::Claim> SweepDir::claim(const std::string& id) const
{
    std::error_code ec;
    const fs::path row = rowPath(id);
    if (fs::exists(row, ec)) {
        auto text = readFile(row);
        if (text && rowFromJson(*text))
            return Claim::Finished;
        // A corrupt row is kept for inspection, never deleted, and the trial runs again.
        fs::rename(row, row.string() + ".corrupt-" + nowText(), ec);
    }
    const fs::path c = claimPath(id);
    fs::create_directories(c.parent_path(), ec);
    for (int attempt = 0; attempt < 2; ++attempt) {
        int fd = ::open(c.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            const std::string who =
                hostName() + " " + std::to_string(::getpid()) + " " + nowText() + "\n";
            ssize_t w = ::write(fd, who.data(), who.size());
            ::fsync(fd);
            ::close(fd);
            if (w != ssize_t(who.size())) {
                ::unlink(c.c_str());
                return makeError("cannot write the claim '" + c.string() + "'",
                                 "check free disk space");
            }
            if (hasRow(id)) { // finished between our check and our claim
                release(id);
                return Claim::Finished;
            }
            const fs::path run = runPath(id);
            if (fs::exists(run, ec) && !fs::is_empty(run, ec))
                fs::rename(run,
                           run.string() + ".stale-" + nowText() + "-" + std::to_string(::getpid()),
                           ec);
            return Claim::Claimed;
        }
        if (errno != EEXIST)
            return makeError("cannot create the claim '" + c.string() +
                                 "': " + std::strerror(errno),
                             "check that the sweep folder is writable");
        // Held: take it over only when its process is provably gone (same host, no such pid).
        auto text = readFile(c);
        if (!text)
            continue; // released meanwhile: try again
        std::istringstream in(*text);
        std::string host;
        long pid = 0;
        if (!(in >> host >> pid) || host != hostName() || pid <= 0)
            return Claim::Busy;
        if (::kill(pid_t(pid), 0) == 0 || errno != ESRCH)
            return Claim::Busy;
        // Only one taker wins the rename; the others see the new claim on their next attempt.
        fs::rename(c, c.string() + ".stale-" + std::to_string(pid), ec);
    }
    return Claim::Busy;
}

void SweepDir::release(const std::string& id) const
{
    ::unlink(claimPath(id).c_str());
}

Status SweepDir::writeRow(const TrialRow& row) const
{
    const fs::path final = rowPath(row.id);
    const fs::path pending =
        m_dir / "rows" / ("." + row.id + ".pending-" + std::to_string(::getpid()));
    if (auto s = writeFileAtomic(pending, rowToJson(row)); !s)
        return s;
    // link(2) publishes the complete file under its final name only if that name is free:
    // a second writer of the same trial can neither replace nor duplicate the first row.
    int rc = ::link(pending.c_str(), final.c_str());
    const int err = errno;
    ::unlink(pending.c_str());
    if (rc != 0) {
        if (err == EEXIST)
            return makeError("trial " + row.id + " already has a result row; kept the first one",
                             "two runners ran the same trial; nothing was lost");
        return makeError("cannot publish the row '" + final.string() + "': " + std::strerror(err),
                         "check that the sweep folder is writable");
    }
    return {};
}

ScanResult SweepDir::scan() const
{
    ScanResult res;
    res.total = m_spec.trials;
    std::set<int> done;
    std::set<std::string> haveRow;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(m_dir / "rows", ec)) {
        const std::string name = e.path().filename().string();
        if (name.empty() || name[0] == '.' || e.path().extension() != ".json")
            continue;
        const std::string id = e.path().stem().string();
        auto text = readFile(e.path());
        if (!text) {
            res.corrupt.push_back("rows/" + name + ": unreadable");
            continue;
        }
        auto row = rowFromJson(*text);
        if (!row) {
            res.corrupt.push_back("rows/" + name + ": " + row.error().message);
            continue;
        }
        if (row->id != id) {
            res.corrupt.push_back("rows/" + name + ": holds trial '" + row->id + "'");
            continue;
        }
        if (row->index >= m_spec.trials) {
            res.corrupt.push_back("rows/" + name + ": index " + std::to_string(row->index) +
                                  " is outside this sweep (0.." +
                                  std::to_string(m_spec.trials - 1) + ")");
            continue;
        }
        haveRow.insert(id);
        if (row->index >= 0)
            done.insert(row->index);
        res.rows.push_back(*row);
    }
    std::sort(res.rows.begin(), res.rows.end(),
              [](const TrialRow& a, const TrialRow& b) { return a.index < b.index; });
    std::set<int> running;
    for (const auto& e : fs::directory_iterator(m_dir / "claims", ec)) {
        const std::string id = e.path().filename().string();
        if (id.find('.') != std::string::npos || haveRow.count(id))
            continue;
        res.running.push_back(id);
        if (id != "baseline")
            running.insert(std::atoi(id.c_str()));
    }
    std::sort(res.running.begin(), res.running.end());
    for (int i = 0; i < m_spec.trials; ++i)
        if (!done.count(i) && !running.count(i))
            res.missing.push_back(i);
    return res;
}

Result<ScanResult> SweepDir::merge() const
{
    ScanResult s = scan();
    if (auto st = writeFileAtomic(m_dir / "results.csv", resultsCsv(s.rows)); !st)
        return st.error();
    if (auto st = writeFileAtomic(m_dir / "findings.md", findingsMarkdown(computeFindings(s.rows)));
        !st)
        return st.error();
    return s;
}

// ---- CSV ----------------------------------------------------------------------------------

std::string resultsCsv(const std::vector<TrialRow>& rows)
{
    std::vector<std::string> cols;
    {
        std::set<std::string> names;
        for (const auto& r : rows)
            for (const auto& [k, v] : r.knobs)
                names.insert(k);
        cols.assign(names.begin(), names.end());
        std::stable_sort(cols.begin(), cols.end(), [](const auto& a, const auto& b) {
            const size_t ra = knobRank(a), rb = knobRank(b);
            return ra != rb ? ra < rb : a < b;
        });
    }
    std::ostringstream out;
    out << "trial";
    for (const auto& c : cols)
        out << ',' << csvCell(c);
    out << ",params,val,test,dendrites,seconds,test_n,status,run\n";
    for (const auto& r : rows) {
        out << csvCell(r.id);
        for (const auto& c : cols) {
            auto it = r.knobs.find(c);
            out << ',' << (it == r.knobs.end() ? std::string() : csvCell(it->second));
        }
        char buf[256];
        std::snprintf(buf, sizeof buf, ",%lld,%.6f,%.6f,%d,%.1f,%d,", r.params, r.val, r.test,
                      r.dendrites, r.seconds, r.testCount);
        out << buf << csvCell(r.status) << ',' << csvCell(r.run) << '\n';
    }
    return out.str();
}

Result<std::vector<TrialRow>> parseResultsCsv(const std::string& text)
{
    auto table = parseCsv(text);
    if (table.empty() || table[0].empty() || table[0][0] != "trial")
        return makeError("not a results.csv (the first column must be 'trial')",
                         "make it with `dendrite sweep merge DIR`", 3);
    const auto& head = table[0];
    std::vector<TrialRow> rows;
    for (size_t i = 1; i < table.size(); ++i) {
        const auto& cells = table[i];
        if (cells.size() != head.size())
            return makeError("results.csv line " + std::to_string(i + 1) + " has " +
                                 std::to_string(cells.size()) + " cells, the header " +
                                 std::to_string(head.size()),
                             "regenerate it with `dendrite sweep merge DIR`", 3);
        TrialRow r;
        try {
            for (size_t c = 0; c < head.size(); ++c) {
                const std::string& h = head[c];
                const std::string& v = cells[c];
                if (h == "trial") {
                    r.id = v;
                    r.index = v == "baseline" ? -1 : std::stoi(v);
                } else if (h == "params") {
                    r.params = std::stoll(v);
                } else if (h == "val") {
                    r.val = std::stod(v);
                } else if (h == "test") {
                    r.test = std::stod(v);
                } else if (h == "dendrites") {
                    r.dendrites = std::stoi(v);
                } else if (h == "seconds") {
                    r.seconds = std::stod(v);
                } else if (h == "test_n") {
                    r.testCount = std::stoi(v);
                } else if (h == "status") {
                    r.status = v;
                } else if (h == "run") {
                    r.run = v;
                } else if (!v.empty()) {
                    r.knobs[h] = v;
                }
            }
        } catch (const std::exception&) {
            return makeError("results.csv line " + std::to_string(i + 1) +
                                 " has a non-numeric value in a numeric column",
                             "regenerate it with `dendrite sweep merge DIR`", 3);
        }
        rows.push_back(r);
    }
    return rows;
}

// ---- analysis -----------------------------------------------------------------------------

Interval bootstrapAccuracyCI(double accuracy, int n, int resamples, uint64_t seed, double level)
{
    if (n <= 0 || resamples <= 0)
        return {accuracy, accuracy};
    // Resampling n outcomes with k correct gives Binomial(n, k/n) correct; draw it by inverting
    // its CDF (exact, O(log n) per resample).
    const int k = int(std::lround(std::clamp(accuracy, 0.0, 1.0) * n));
    const double p = double(k) / n;
    if (k == 0 || k == n)
        return {p, p};
    std::vector<double> cdf(size_t(n) + 1);
    double acc = 0;
    const double lp = std::log(p), lq = std::log1p(-p);
    for (int j = 0; j <= n; ++j) {
        const double lpmf = std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) +
                            j * lp + (n - j) * lq;
        acc += std::exp(lpmf);
        cdf[size_t(j)] = acc;
    }
    Rng rng(mix64(seed) ^ mix64(uint64_t(n) * 1000003ULL + uint64_t(k)));
    std::vector<double> draws(static_cast<size_t>(resamples));
    for (auto& d : draws) {
        const double u = rng.uniform() * acc;
        d = double(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin()) / n;
    }
    std::sort(draws.begin(), draws.end());
    const double alpha = (1.0 - level) / 2.0;
    auto q = [&](double f) {
        const size_t i = std::min(draws.size() - 1, size_t(f * double(draws.size() - 1) + 0.5));
        return draws[i];
    };
    return {q(alpha), q(1.0 - alpha)};
}

std::vector<size_t> paretoFrontier(const std::vector<TrialRow>& rows, const std::string& mode)
{
    std::vector<size_t> idx;
    for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i].finished() && rows[i].index >= 0 && (mode.empty() || rows[i].mode() == mode))
            idx.push_back(i);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        if (rows[a].params != rows[b].params)
            return rows[a].params < rows[b].params;
        if (rows[a].val != rows[b].val)
            return rows[a].val > rows[b].val;
        return rows[a].index < rows[b].index;
    });
    std::vector<size_t> front;
    double best = -1;
    for (size_t i : idx)
        if (rows[i].val > best) {
            front.push_back(i);
            best = rows[i].val;
        }
    return front;
}

namespace {
Finding findingOf(const std::string& what, const TrialRow& r)
{
    Finding f;
    f.what = what;
    f.id = r.id;
    f.mode = r.mode();
    f.params = r.params;
    f.val = r.val;
    f.test = r.test;
    f.ci = bootstrapAccuracyCI(r.test, r.testCount);
    return f;
}

Finding noneFinding(const std::string& what, const std::string& note)
{
    Finding f;
    f.what = what;
    f.note = note;
    return f;
}

// Higher validation wins; ties go to the smaller model, then the lower index.
bool betterByVal(const TrialRow& a, const TrialRow& b)
{
    if (a.val != b.val)
        return a.val > b.val;
    if (a.params != b.params)
        return a.params < b.params;
    return a.index < b.index;
}

std::string pct(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f %%", v * 100.0);
    return buf;
}

std::string acc3(double v)
{
    return fmtDouble(v, 3);
}

std::string thousands(long long v)
{
    std::string s = std::to_string(v), out;
    int n = 0;
    for (auto it = s.rbegin(); it != s.rend(); ++it) {
        if (n && n % 3 == 0 && *it != '-')
            out.insert(out.begin(), ',');
        out.insert(out.begin(), *it);
        ++n;
    }
    return out;
}
} // namespace

Findings computeFindings(const std::vector<TrialRow>& rows, const std::vector<long long>& budgets)
{
    Findings f;
    f.budgets = budgets;
    std::vector<const TrialRow*> trials;
    for (const auto& r : rows) {
        if (!r.finished())
            continue;
        if (r.index < 0) {
            f.baseline = r;
            continue;
        }
        trials.push_back(&r);
        f.trialsPerMode[r.mode()]++;
    }
    std::vector<std::string> modes;
    for (const auto& m : modeOrder())
        if (f.trialsPerMode.count(m))
            modes.push_back(m);
    for (const auto& [m, n] : f.trialsPerMode)
        if (std::find(modes.begin(), modes.end(), m) == modes.end())
            modes.push_back(m);

    // Smallest model beating the baseline (by validation), overall and per type.
    if (f.baseline) {
        auto smallest = [&](const std::string& mode) -> const TrialRow* {
            const TrialRow* best = nullptr;
            for (const TrialRow* r : trials) {
                if (!mode.empty() && r->mode() != mode)
                    continue;
                if (r->val <= f.baseline->val)
                    continue;
                if (!best || r->params < best->params ||
                    (r->params == best->params && betterByVal(*r, *best)))
                    best = r;
            }
            return best;
        };
        std::vector<std::string> scopes = {""};
        scopes.insert(scopes.end(), modes.begin(), modes.end());
        for (const auto& m : scopes) {
            const std::string what =
                "smallest model beating the baseline" + (m.empty() ? "" : " (" + m + ")");
            if (const TrialRow* r = smallest(m)) {
                Finding fi = findingOf(what, *r);
                fi.note = r->test > f.baseline->test ? "test also above the baseline's"
                                                     : "but test not above the baseline's";
                f.items.push_back(fi);
            } else {
                f.items.push_back(noneFinding(what, "no trial beats the baseline's validation"));
            }
        }
    } else {
        f.items.push_back(noneFinding("smallest model beating the baseline",
                                      "no baseline trial was run (sweep trial --index baseline)"));
    }

    // Most accurate model and the closest model of the other types to it.
    const TrialRow* top = nullptr;
    for (const TrialRow* r : trials)
        if (!top || betterByVal(*r, *top))
            top = r;
    if (top) {
        f.items.push_back(findingOf("most accurate model", *top));
        for (const auto& m : modes) {
            if (m == top->mode() || (top->mode() != "traditional" && m != "traditional"))
                continue;
            const TrialRow* near = nullptr;
            double bestDist = 0;
            for (const TrialRow* r : trials) {
                if (r->mode() != m || r->params <= 0 || top->params <= 0)
                    continue;
                const double d = std::fabs(std::log(double(r->params) / double(top->params)));
                if (!near || d < bestDist || (d == bestDist && betterByVal(*r, *near))) {
                    near = r;
                    bestDist = d;
                }
            }
            if (!near)
                continue;
            Finding fi = findingOf("closest " + m + " model to the most accurate", *near);
            const double eTop = 1.0 - top->test, eNear = 1.0 - near->test;
            if (eTop > 0)
                fi.note = (eNear >= eTop ? pct(eNear / eTop - 1.0) + " more"
                                         : pct(1.0 - eNear / eTop) + " less") +
                          " test error than the most accurate";
            f.items.push_back(fi);
        }
    } else {
        f.items.push_back(noneFinding("most accurate model", "no finished trials"));
    }

    for (const auto& m : modes) {
        std::vector<Finding> per;
        for (long long b : budgets) {
            const TrialRow* best = nullptr;
            for (const TrialRow* r : trials)
                if (r->mode() == m && r->params <= b && (!best || betterByVal(*r, *best)))
                    best = r;
            const std::string what = m + " <= " + thousands(b) + " params";
            per.push_back(best ? findingOf(what, *best) : noneFinding(what, "none"));
        }
        f.perBudget[m] = per;
    }
    return f;
}

std::string findingsMarkdown(const Findings& f)
{
    std::ostringstream o;
    auto ci = [](const Finding& x) {
        if (x.ci.lo == x.ci.hi)
            return acc3(x.test);
        return acc3(x.test) + " [" + acc3(x.ci.lo) + ", " + acc3(x.ci.hi) + "]";
    };
    o << "Chosen by validation accuracy; test accuracy at the best-validation epoch with a 95 % "
         "bootstrap interval over the test examples.\n\n";
    o << "Finished trials per model type:";
    int total = 0;
    for (const auto& [m, n] : f.trialsPerMode) {
        o << " " << m << " " << n << ";";
        total += n;
    }
    o << " total " << total << ".\n\n";
    if (f.baseline) {
        const auto b = findingOf("baseline", *f.baseline);
        o << "Baseline (" << f.baseline->mode() << ", model "
          << (f.baseline->knobs.count("model") ? f.baseline->knobs.at("model") : "?")
          << "): " << thousands(b.params) << " params, val " << acc3(b.val) << ", test " << ci(b)
          << ".\n\n";
    }
    o << "| finding | trial | type | params | val | test [95 % CI] | note |\n";
    o << "|---|---|---|---:|---:|---|---|\n";
    for (const auto& x : f.items) {
        if (x.id.empty())
            o << "| " << x.what << " | - | - | - | - | - | " << x.note << " |\n";
        else
            o << "| " << x.what << " | " << x.id << " | " << x.mode << " | " << thousands(x.params)
              << " | " << acc3(x.val) << " | " << ci(x) << " | " << x.note << " |\n";
    }
    if (!f.perBudget.empty()) {
        o << "\nBest of each type within a parameter budget (trial, params, val, test [95 % CI]):"
             "\n\n| type |";
        for (long long b : f.budgets)
            o << " <= " << thousands(b) << " |";
        o << "\n|---|";
        for (size_t i = 0; i < f.budgets.size(); ++i)
            o << "---|";
        o << "\n";
        for (const auto& m : modeOrder()) {
            auto it = f.perBudget.find(m);
            if (it == f.perBudget.end())
                continue;
            o << "| " << m << " (" << f.trialsPerMode.at(m) << " trials) |";
            for (const auto& x : it->second) {
                if (x.id.empty())
                    o << " - |";
                else
                    o << " " << x.id << ", " << thousands(x.params) << ", " << acc3(x.val) << ", "
                      << ci(x) << " |";
            }
            o << "\n";
        }
    }
    return o.str();
}

SweepSpec frontierRerunSpec(const SweepSpec& base, const std::vector<TrialRow>& rows, int seeds)
{
    SweepSpec s;
    s.name = base.name + "-frontier-rerun";
    s.description = "Frontier trials of '" + base.name + "' repeated over " +
                    std::to_string(seeds) + " new seeds";
    s.search = "list";
    s.seed = base.seed;
    s.stratify.clear();
    s.project = base.project;
    const auto& known = specKnobNames();
    for (const auto& r : rows) {
        long long seed = 1;
        if (auto it = r.knobs.find("seed"); it != r.knobs.end())
            seed = std::atoll(it->second.c_str());
        for (int k = 1; k <= seeds; ++k) {
            KnobValues kv;
            for (const auto& [n, v] : r.knobs)
                if (std::find(known.begin(), known.end(), n) != known.end() && n != "seed")
                    kv.emplace_back(n, v);
            kv.emplace_back("seed", std::to_string((seed + 1000LL * k) % 2147483646LL + 1));
            sortBySpecOrder(kv);
            s.configs.push_back(kv);
        }
    }
    s.trials = int(s.configs.size());
    return s;
}

} // namespace dw::sweep
