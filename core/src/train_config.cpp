// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/core/train_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace dw {

namespace {

using nlohmann::json;

// Edge Impulse feature names forwarded to FeatureConfig::set.
const std::vector<std::string>& featureKnobs()
{
    static const std::vector<std::string> k = {
        "kind",       "window",   "num_cepstral",  "frame_length",   "frame_stride", "num_filters",
        "fft_length", "win_size", "low_frequency", "high_frequency", "pre_cof",      "sample_rate"};
    return k;
}

std::string joined(const std::vector<std::string>& v)
{
    std::string s;
    for (size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + v[i];
    return s;
}

std::string trim(const std::string& s)
{
    size_t b = s.find_first_not_of(" \t\r\n");
    size_t e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

Error knobError(const std::string& name, const std::string& value, const std::string& allowed)
{
    return makeError("bad value '" + value + "' for knob '" + name + "'", "allowed: " + allowed, 3);
}

bool parseInt(const std::string& v, int& out)
{
    try {
        size_t pos = 0;
        long long x = std::stoll(trim(v), &pos);
        if (pos != trim(v).size() || x < std::numeric_limits<int>::min() ||
            x > std::numeric_limits<int>::max())
            return false;
        out = int(x);
        return true;
    } catch (...) {
        return false;
    }
}

bool parseDouble(const std::string& v, double& out)
{
    try {
        size_t pos = 0;
        double x = std::stod(trim(v), &pos);
        if (pos != trim(v).size() || !std::isfinite(x))
            return false;
        out = x;
        return true;
    } catch (...) {
        return false;
    }
}

bool parseBool(const std::string& v, bool& out)
{
    std::string t = trim(v);
    std::transform(t.begin(), t.end(), t.begin(), ::tolower);
    if (t == "1" || t == "true" || t == "yes" || t == "on") {
        out = true;
        return true;
    }
    if (t == "0" || t == "false" || t == "no" || t == "off") {
        out = false;
        return true;
    }
    return false;
}

// "[0.001, 0.0001, 0]", "0.001,0.0001,0" or "0".
bool parseList(const std::string& v, std::vector<double>& out)
{
    std::string t = trim(v);
    if (!t.empty() && t.front() == '[') {
        if (t.back() != ']')
            return false;
        t = t.substr(1, t.size() - 2);
    }
    std::vector<double> r;
    std::stringstream ss(t);
    std::string item;
    while (std::getline(ss, item, ',')) {
        double d = 0;
        if (!parseDouble(item, d))
            return false;
        r.push_back(d);
    }
    if (r.empty())
        return false;
    out = r;
    return true;
}

constexpr int kUnlimitedDendrites = 1000000;

bool isBoolKnob(const std::string& name)
{
    return name == "cap_at_n" || name == "dendrite_update_mode" || name == "dendrite_graph_mode" ||
           name == "lr_lowered_before_giving_up";
}

} // namespace

std::vector<std::string> TrainConfig::trainingKnobNames()
{
    return {"model",
            "conv_layers",
            "linear_layers",
            "width",
            "growth_mode",
            "dropout",
            "input_noise",
            "conv_dim",
            "lr",
            "batch_size",
            "epochs_max",
            "seed",
            "threads",
            "early_stop_patience",
            "mode",
            "perforate",
            "max_dendrites",
            "max_tries",
            "n_patience",
            "p_patience",
            "improvement_thresholds",
            "init_multiplier",
            "dendrite_activation",
            "warmup_batches",
            "cap_at_n",
            "dendrite_update_mode",
            "dendrite_graph_mode",
            "sched_patience",
            "sched_factor",
            "lr_lowered_before_giving_up",
            "max_norm"};
}

std::vector<std::string> TrainConfig::knobNames()
{
    std::vector<std::string> k = trainingKnobNames();
    for (const auto& f : featureKnobs())
        k.push_back(f);
    return k;
}

Status TrainConfig::set(const std::string& name, const std::string& value)
{
    TrainConfig c = *this;
    auto isInt = [&](int& field) { return parseInt(value, field); };
    auto isDouble = [&](double& field) { return parseDouble(value, field); };
    bool ok = true;
    std::string v = trim(value);
    if (name == "model") {
        c.model = v;
    } else if (name == "conv_layers") {
        ok = isInt(c.conv_layers);
    } else if (name == "linear_layers") {
        ok = isInt(c.linear_layers);
    } else if (name == "width") {
        ok = isDouble(c.width);
    } else if (name == "growth_mode") {
        ok = isInt(c.growth_mode);
    } else if (name == "dropout") {
        ok = isDouble(c.dropout);
    } else if (name == "input_noise") {
        if (v == "auto")
            c.input_noise = std::numeric_limits<double>::quiet_NaN();
        else
            ok = isDouble(c.input_noise);
    } else if (name == "conv_dim") {
        ok = isInt(c.conv_dim);
    } else if (name == "lr") {
        ok = isDouble(c.lr);
    } else if (name == "batch_size") {
        ok = isInt(c.batch_size);
    } else if (name == "epochs_max") {
        ok = isInt(c.epochs_max);
    } else if (name == "seed") {
        ok = isInt(c.seed);
    } else if (name == "threads") {
        ok = isInt(c.threads);
    } else if (name == "early_stop_patience") {
        // Alias kept for the header's field: traditional runs stop through the phase tracker,
        // whose patience is n_patience, so both always hold the same value.
        ok = isInt(c.early_stop_patience);
        c.n_patience = c.early_stop_patience;
    } else if (name == "mode") {
        c.mode = v;
    } else if (name == "perforate") {
        c.perforate = v;
    } else if (name == "max_dendrites") {
        if (v == "unlimited" || v == "inf")
            c.max_dendrites = kUnlimitedDendrites;
        else
            ok = isInt(c.max_dendrites);
    } else if (name == "max_tries") {
        ok = isInt(c.max_tries);
    } else if (name == "n_patience") {
        ok = isInt(c.n_patience);
        c.early_stop_patience = c.n_patience;
    } else if (name == "p_patience") {
        ok = isInt(c.p_patience);
    } else if (name == "improvement_thresholds") {
        ok = parseList(value, c.improvement_thresholds);
    } else if (name == "init_multiplier") {
        ok = isDouble(c.init_multiplier);
    } else if (name == "dendrite_activation") {
        c.dendrite_activation = v;
    } else if (name == "warmup_batches") {
        ok = isInt(c.warmup_batches);
    } else if (name == "cap_at_n") {
        ok = parseBool(value, c.cap_at_n);
    } else if (name == "dendrite_update_mode") {
        ok = parseBool(value, c.dendrite_update_mode);
    } else if (name == "dendrite_graph_mode") {
        ok = parseBool(value, c.dendrite_graph_mode);
    } else if (name == "lr_lowered_before_giving_up") {
        ok = parseBool(value, c.lr_lowered_before_giving_up);
    } else if (name == "sched_patience") {
        if (v == "auto")
            c.sched_patience = -1;
        else
            ok = isInt(c.sched_patience);
    } else if (name == "sched_factor") {
        ok = isDouble(c.sched_factor);
    } else if (name == "max_norm") {
        if (v == "auto")
            c.max_norm = std::numeric_limits<double>::quiet_NaN();
        else
            ok = isDouble(c.max_norm);
    } else if (std::find(featureKnobs().begin(), featureKnobs().end(), name) !=
               featureKnobs().end()) {
        if (auto s = c.features.set(name, value); !s)
            return s;
        *this = c;
        return Status::success();
    } else {
        return makeError("unknown knob '" + name + "'", "known knobs: " + joined(knobNames()), 3);
    }
    if (!ok) {
        std::string kind = "a number";
        if (name == "improvement_thresholds")
            kind = "a list of numbers such as [0.001,0.0001,0]";
        else if (isBoolKnob(name))
            kind = "true or false";
        else if (name == "sched_patience")
            kind = "an epoch count >= 0 below n_patience, or auto (min(5, n_patience - 1))";
        else if (name == "max_norm")
            kind = "a norm >= 0 (0 = off), or auto (1 for block and ei2d, else 0)";
        else if (name == "input_noise")
            kind = "a standard deviation >= 0, or auto (0.2 for ei2d, else 0)";
        return knobError(name, value, kind);
    }
    if (auto s = c.validateKnob(name); !s)
        return s;
    *this = c;
    return Status::success();
}

Status TrainConfig::validateKnob(const std::string& name) const
{
    auto range = [&](double x, double lo, double hi, const std::string& allowed) -> Status {
        if (x < lo || x > hi) {
            std::ostringstream os;
            os << x;
            return knobError(name, os.str(), allowed);
        }
        return Status::success();
    };
    auto oneOf = [&](const std::string& x, const std::vector<std::string>& allowed) -> Status {
        if (std::find(allowed.begin(), allowed.end(), x) == allowed.end())
            return knobError(name, x, joined(allowed));
        return Status::success();
    };
    if (name == "model")
        return oneOf(model, {"ei1d", "ei2d", "block", "custom"});
    if (name == "conv_layers")
        return range(conv_layers, 0, 3, "0 to 3 (0: a plain MLP)");
    if (name == "linear_layers")
        return range(linear_layers, 1, 3, "1 to 3");
    if (name == "width")
        return range(width, 0.01, 64,
                     "a channel multiplier between 0.01 and 64 (sweep: 0.25 to 4)");
    if (name == "growth_mode")
        return range(growth_mode, 0, 5, "0 to 5 (the channel schedules of the sweep)");
    if (name == "dropout")
        return range(dropout, 0, 0.95, "0 to 0.95");
    if (name == "input_noise")
        return std::isnan(input_noise) ? Status::success()
                                       : range(input_noise, 0, 100,
                                               "a standard deviation >= 0, or auto (0.2 for ei2d)");
    if (name == "conv_dim")
        return range(conv_dim, 1, 2, "1 (Conv1d over time) or 2 (Conv2d over time x coeffs)");
    if (name == "lr")
        return range(lr, 1e-9, 10, "a learning rate > 0 and <= 10");
    if (name == "batch_size")
        return range(batch_size, 1, 65536, "1 to 65536");
    if (name == "epochs_max")
        return range(epochs_max, 1, 1000000, "an epoch count >= 1");
    if (name == "seed")
        return range(seed, 0, std::numeric_limits<int>::max(), "an integer >= 0");
    if (name == "threads")
        return range(threads, 1, 256, "1 to 256");
    if (name == "early_stop_patience" || name == "n_patience")
        return range(n_patience, 1, 1000000, "an epoch count >= 1 (sweep: 10, 25, 100)");
    if (name == "mode")
        return oneOf(mode, {"traditional", "gd", "cc"});
    if (name == "perforate")
        return oneOf(perforate, {"linear", "all"});
    if (name == "max_dendrites")
        return range(max_dendrites, 0, kUnlimitedDendrites,
                     "a count >= 0, or 'unlimited' (sweep: 1, 2, 3, unlimited)");
    if (name == "max_tries")
        return range(max_tries, 0, 1000, "a count >= 0");
    if (name == "p_patience")
        return range(p_patience, 1, 1000000, "an epoch count >= 1");
    if (name == "improvement_thresholds") {
        if (improvement_thresholds.empty())
            return knobError(name, "[]", "a non-empty list of fractions in [0, 1)");
        for (double t : improvement_thresholds)
            if (!(t >= 0 && t < 1)) {
                std::ostringstream os;
                os << t;
                return knobError(name, os.str(), "fractions in [0, 1), e.g. [0.001,0.0001,0]");
            }
        return Status::success();
    }
    if (name == "init_multiplier")
        return range(init_multiplier, 1e-12, 100, "a value > 0 (sweep: 0.1, 0.01)");
    if (name == "dendrite_activation")
        return oneOf(dendrite_activation, {"sigmoid", "tanh", "relu"});
    if (name == "warmup_batches")
        return range(warmup_batches, 0, 100000000, "a batch count >= 0");
    if (name == "sched_patience" && sched_patience != -1)
        return range(sched_patience, 0, 1000000,
                     "an epoch count >= 0 below n_patience, or auto (min(5, n_patience - 1))");
    if (name == "sched_factor") {
        if (!(sched_factor > 0 && sched_factor < 1)) {
            std::ostringstream os;
            os << sched_factor;
            return knobError(name, os.str(),
                             "a factor between 0 and 1, exclusive (the block uses 0.1)");
        }
        return Status::success();
    }
    if (name == "max_norm" && !std::isnan(max_norm))
        return range(max_norm, 0, 1e6, "a norm >= 0 (0 = off), or auto (1 for block and ei2d)");
    return Status::success();
}

int TrainConfig::schedPatience() const
{
    return sched_patience >= 0 ? sched_patience : std::max(0, std::min(5, n_patience - 1));
}

double TrainConfig::inputNoise() const
{
    if (!std::isnan(input_noise))
        return input_noise;
    return model == "ei2d" ? 0.2 : 0.0;
}

double TrainConfig::maxNorm() const
{
    if (!std::isnan(max_norm))
        return max_norm;
    return model == "block" || model == "ei2d" ? 1.0 : 0.0;
}

Status TrainConfig::validate() const
{
    for (const auto& n : knobNames()) {
        if (std::find(featureKnobs().begin(), featureKnobs().end(), n) != featureKnobs().end())
            continue;
        if (auto s = validateKnob(n); !s)
            return s;
    }
    if (model == "custom" && conv_layers == 0 && conv_dim != 1 && conv_dim != 2)
        return makeError("bad conv_dim", "use 1 or 2", 3);
    if (model == "block" && conv_layers == 0)
        return makeError("bad value '0' for knob 'conv_layers' with model=block",
                         "allowed: 1 to 3 (the block's network has 1 to 3 conv blocks)", 3);
    if (model == "block" && linear_layers > 2)
        return makeError("bad value '" + std::to_string(linear_layers) +
                             "' for knob 'linear_layers' with model=block",
                         "allowed: 1 or 2 (the block's network)", 3);
    if (sched_patience >= n_patience)
        return makeError("sched_patience (" + std::to_string(sched_patience) +
                             ") must be below n_patience (" + std::to_string(n_patience) + ")",
                         "allowed for sched_patience: 0 to " + std::to_string(n_patience - 1) +
                             ", or auto; the learning rate must drop before the tracker "
                             "judges a cycle",
                         3);
    if (auto s = features.validate(); !s)
        return s;
    return Status::success();
}

std::string TrainConfig::toJson() const
{
    json j;
    j["model"] = model;
    j["conv_layers"] = conv_layers;
    j["linear_layers"] = linear_layers;
    j["width"] = width;
    j["growth_mode"] = growth_mode;
    j["dropout"] = dropout;
    if (std::isnan(input_noise))
        j["input_noise"] = "auto";
    else
        j["input_noise"] = input_noise;
    j["conv_dim"] = conv_dim;
    j["lr"] = lr;
    j["batch_size"] = batch_size;
    j["epochs_max"] = epochs_max;
    j["seed"] = seed;
    j["threads"] = threads;
    j["early_stop_patience"] = early_stop_patience;
    j["mode"] = mode;
    j["perforate"] = perforate;
    j["max_dendrites"] = max_dendrites;
    j["max_tries"] = max_tries;
    j["n_patience"] = n_patience;
    j["p_patience"] = p_patience;
    j["improvement_thresholds"] = improvement_thresholds;
    j["init_multiplier"] = init_multiplier;
    j["dendrite_activation"] = dendrite_activation;
    j["warmup_batches"] = warmup_batches;
    j["cap_at_n"] = cap_at_n;
    j["dendrite_update_mode"] = dendrite_update_mode;
    j["dendrite_graph_mode"] = dendrite_graph_mode;
    // "auto" stays auto, so a config read back (the GUI's form, a sweep's base) follows a new
    // n_patience or model; lr_scheduler below and maxNorm() give the resolved values.
    if (sched_patience < 0)
        j["sched_patience"] = "auto";
    else
        j["sched_patience"] = sched_patience;
    j["sched_factor"] = sched_factor;
    j["lr_lowered_before_giving_up"] = lr_lowered_before_giving_up;
    if (std::isnan(max_norm))
        j["max_norm"] = "auto";
    else
        j["max_norm"] = max_norm;
    j["lr_scheduler"] = {{"scheduler", "ReduceLROnPlateau"},
                         {"mode", "max"},
                         {"factor", sched_factor},
                         {"patience", schedPatience()},
                         {"threshold", 1e-4}};
    j["features"] = json::parse(features.toJson(), nullptr, false);
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<TrainConfig> TrainConfig::fromJson(const std::string& text)
{
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError("training config is not a JSON object",
                         "write it as {\"lr\": 0.005, \"mode\": \"cc\", ...}", 3);
    TrainConfig c;
    // Written by the engine next to the knobs; not knobs themselves.
    static const std::vector<std::string> meta = {"started_at", "lr_scheduler", "version",
                                                  "labels",     "frames",       "coeffs"};
    // `n_patience` must win over its alias regardless of key order.
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        keys.push_back(it.key());
    std::stable_partition(keys.begin(), keys.end(),
                          [](const std::string& k) { return k == "early_stop_patience"; });
    for (const auto& key : keys) {
        const json& v = j[key];
        if (std::find(meta.begin(), meta.end(), key) != meta.end())
            continue;
        if (key == "features") {
            if (!v.is_object())
                return makeError("'features' in the training config is not an object",
                                 "write it as {\"num_cepstral\": 13, ...}", 3);
            auto f = FeatureConfig::fromJson(
                v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            if (!f)
                return f.error();
            c.features = *f;
            continue;
        }
        std::string s = v.is_string()
                            ? v.get<std::string>()
                            : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (auto st = c.set(key, s); !st)
            return st.error();
    }
    if (auto s = c.validate(); !s)
        return s.error();
    return c;
}

} // namespace dw
