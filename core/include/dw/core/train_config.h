// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every knob of a training run (perforated-backprop.md sections 3-5, 7, 8), by its spec name.
// The same names work in `--set name=value`, config files, sweep files and run records.

#include "dw/core/features.h"
#include "dw/core/result.h"

#include <string>
#include <vector>

namespace dw {

struct TrainConfig {
    // Architecture
    std::string model = "ei1d"; // ei1d | ei2d | custom
    int conv_layers = 2;        // custom: 1..3
    int linear_layers = 1;      // custom: 1..2
    double width = 1.0;         // custom: channel multiplier (0.25 .. 4)
    int growth_mode = 0;        // custom: 0..5, schedules of spec section 7
    double dropout = 0.25;
    double input_noise = 0.0;   // gaussian std added to inputs during training
    int conv_dim = 1;           // custom: 1 = Conv1d over time (EI default), 2 = Conv2d
    // Training
    double lr = 0.005;
    int batch_size = 32;
    int epochs_max = 100; // hard epoch cap of the whole run (all phases)
    int seed = 1;
    int threads = 1;      // intra-op threads (set explicitly, see environment.md)
    int early_stop_patience = 10; // alias of n_patience (the tracker is the early stopper)
    // Dendrites
    std::string mode = "traditional"; // traditional | gd | cc
    std::string perforate = "linear"; // linear | all
    int max_dendrites = 100;          // traditional forces 0
    int max_tries = 2;
    int n_patience = 10;
    int p_patience = 10;
    std::vector<double> improvement_thresholds = {0.001, 0.0001, 0.0};
    double init_multiplier = 0.01;
    std::string dendrite_activation = "sigmoid"; // sigmoid | tanh | relu
    int warmup_batches = 100;
    bool cap_at_n = false;
    bool dendrite_update_mode = true;
    // Features used for this run (copied from the project unless overridden with --set)
    FeatureConfig features;

    // Sets one knob by name; feature knobs (EI names) go to `features`. An Error names the knob
    // and its allowed values; unknown names are errors, never ignored.
    Status set(const std::string& name, const std::string& value);
    Status validate() const;
    std::string toJson() const; // every knob
    static Result<TrainConfig> fromJson(const std::string& json);
    static std::vector<std::string> knobNames();
    // Checks one knob's value (not cross-knob rules); set() calls it.
    Status validateKnob(const std::string& name) const;

    // ReduceLROnPlateau (mode max on validation accuracy), derived so that its patience is always
    // below n_patience (spec section 5): patience = n_patience / 2, factor 0.5.
    static constexpr double kLrFactor = 0.5;
    int lrPatience() const { return n_patience / 2; }
};

} // namespace dw
