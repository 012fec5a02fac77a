// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every knob of a training run (perforated-backprop.md sections 3-5, 7, 8), by its spec name.
// The same names work in `--set name=value`, config files, sweep files and run records.

#include "dw/core/features.h"
#include "dw/core/result.h"

#include <limits>
#include <string>
#include <vector>

namespace dw {

struct TrainConfig
{
    // Architecture
    std::string model = "ei1d"; // ei1d | ei2d | block | custom
    int conv_layers = 2;        // custom, block: 1..3
    int linear_layers = 1;      // custom, block: 1..2
    double width = 1.0;         // custom, block: channel multiplier (0.25 .. 4)
    int growth_mode = 0;        // custom, block: 0..5, schedules of spec section 7
    double dropout = 0.25;
    // Gaussian std added to the inputs while training; NaN = the model's default (inputNoise()):
    // 0.2 for ei2d, as the block's tutorial net trains, else 0.
    double input_noise = std::numeric_limits<double>::quiet_NaN();
    int conv_dim = 1; // custom: 1 = Conv1d over time (EI default), 2 = Conv2d
    // Max-norm of each conv kernel (per output filter) after every optimizer step; 0 = off.
    // NaN = the model's default (maxNorm()): 1 for block and ei2d as the paper's block, else 0.
    double max_norm = std::numeric_limits<double>::quiet_NaN();
    // Training
    double lr = 0.005;
    int batch_size = 32;
    // Safety net on the epochs of the whole run (all phases); a run should end by its tracker,
    // and one that ends here says so in its stop reason (spec section 5).
    int epochs_max = 1000;
    int seed = 1;
    int threads = 1;              // intra-op threads (set explicitly, see environment.md)
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
    bool dendrite_graph_mode = true; // cc: dendrite inputs detached in N-phases too
    // ReduceLROnPlateau (mode max on validation accuracy) of every N-phase and, as the library
    // steps it, of every P-phase (spec sections 4, 5). -1 = auto: min(5, n_patience - 1), so a
    // small n_patience needs no second knob; an explicit value must be below n_patience.
    int sched_patience = -1;
    double sched_factor = 0.1;
    // No switch before the cycle's learning rate was lowered once (spec section 5).
    bool lr_lowered_before_giving_up = true;
    // Features used for this run (copied from the project unless overridden with --set)
    FeatureConfig features;

    // Sets one knob by name; feature knobs (EI names) go to `features`. An Error names the knob
    // and its allowed values; unknown names are errors, never ignored.
    Status set(const std::string& name, const std::string& value);
    Status validate() const;
    std::string toJson() const; // every knob
    static Result<TrainConfig> fromJson(const std::string& json);
    static std::vector<std::string> knobNames();
    static std::vector<std::string> trainingKnobNames(); // knobNames() without features
    // Checks one knob's value (not cross-knob rules); set() calls it.
    Status validateKnob(const std::string& name) const;

    int schedPatience() const; // sched_patience resolved (auto -> min(5, n_patience - 1))
    double maxNorm() const;    // max_norm resolved (NaN -> the model's default)
    double inputNoise() const; // input_noise resolved (NaN -> the model's default)
};

} // namespace dw
