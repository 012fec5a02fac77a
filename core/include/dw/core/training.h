// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Training with Perforated Backpropagation (perforated-backprop.md). Torch stays behind this
// header. A run writes into its folder (all writes atomic):
//   config.json         every knob (TrainConfig::toJson)
//   events.jsonl        one JSON object per line, {"type":"epoch",...} or {"type":"switch",...}
//                       (the fields of EpochRecord / SwitchRecord below, same names)
//   best_test_scores.csv  one row per architecture K: params,best_val,test_at_best_val,dendrites
//   best.pt, latest.pt  checkpoints (weights + structure + tracker + optimizer), plus *.json meta
//   summary.json        RunSummary fields
//   status              "running" | "finished" | "stopped" | "failed: <message>"

#include "dw/core/dataset.h"
#include "dw/core/result.h"
#include "dw/core/train_config.h"

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace dw {

struct EpochRecord
{
    int epoch = 0;              // 1-based, over the whole run
    char phase = 'N';           // 'N' neuron phase, 'P' dendrite (candidate) phase
    std::vector<int> dendrites; // K per wrapped layer
    long long params = 0;       // clean parameter count (spec section 2)
    double train_loss = 0, train_accuracy = 0;
    double val_loss = 0, val_accuracy = 0;
    double test_accuracy = 0;
    double lr = 0;
    double seconds = 0; // this epoch's wall time
    // P only, per wrapped layer: the best candidate score max_n best_n (spec section 4's
    // bookkeeping) and the normalised correlation max_n |cov_n / (std V_n * std E_n)| of the
    // running averages (scale-free; "weak" below kWeakCorrelation). lr is the candidates' rate.
    std::vector<double> candidate_scores;
    std::vector<double> candidate_correlations;
};

// A P-phase whose candidates correlate this little with the remaining error (normalised
// correlation, all layers) adds dendrites that can hardly help; the GUI and `dendrite plot` warn.
inline constexpr double kWeakCorrelation = 0.05;

struct SwitchRecord
{
    int epoch = 0;        // the epoch after which the switch happened
    std::string kind;     // "N->P" | "P->N" | "added" | "reverted" | "finished"
    int dendrites = 0;    // K after the switch
    long long params = 0; // clean params after the switch
    std::string note;     // human-readable reason
    // Machine-readable cause of the phase's end: n_patience | p_patience | cap_at_n | early_stop
    // | max_dendrites | max_tries | epochs_max | stopped (empty on "added" after P->N).
    std::string reason;
};

struct RunSummary
{
    std::string mode;
    long long params = 0;     // of the best-validation architecture
    double val_accuracy = 0;  // best validation accuracy
    double test_accuracy = 0; // test accuracy at the best-validation epoch
    int best_epoch = 0;
    int epochs = 0;
    double seconds = 0;
    std::vector<int> dendrites;              // per wrapped layer, of the best architecture
    std::vector<std::string> wrapped_layers; // names, same order
    std::string status;                      // "finished" | "stopped" | "failed"
    std::string stop_reason;                 // human-readable
    // Why the run ended, machine-readable: early_stop | max_dendrites | max_tries (the tracker),
    // epochs_max (the safety net: not a fair end for dendrites), stopped, failed.
    std::string stop_kind;
    int p_phases = 0;           // completed P-phases (cc)
    int p_epochs = 0;           // epochs spent in P-phases
    int dendrites_added = 0;    // additions (rounds) accepted into the network, kept or not
    int dendrites_reverted = 0; // additions discarded by a retry
};

// Progress for live plots. Called from the training thread; observers must be cheap and
// thread-safe (the GUI posts to its own thread). Throttled: onBatch at most every ~100 ms.
struct TrainObserver
{
    std::function<void(const EpochRecord&)> onEpoch;
    std::function<void(const SwitchRecord&)> onSwitch;
    std::function<void(int epoch, char phase, int batch, int batches)> onBatch;
    std::function<bool()> shouldStop;            // polled between batches; true stops cleanly
    std::function<bool()> shouldPauseAfterEpoch; // true: stop after this epoch as "stopped"
};

// Trains a new run into `runDir` (must not exist or be empty). Blocks; call from a worker thread.
// extraFiles (name, bytes) land in the new run folder in the same atomic step as its config,
// e.g. the CLI's source.json naming the project: a kill never leaves a folder with only those.
Result<RunSummary> train(const FeatureDataset& data, const TrainConfig& config,
                         const std::filesystem::path& runDir, TrainObserver* observer = nullptr,
                         const std::vector<std::pair<std::string, std::string>>& extraFiles = {});

// Continues a stopped run from latest.pt: the next epoch equals the one an uninterrupted run
// would have produced.
Result<RunSummary> resumeTraining(const FeatureDataset& data, const std::filesystem::path& runDir,
                                  TrainObserver* observer = nullptr);

struct Prediction
{
    std::vector<std::string> labels;
    std::vector<float> probabilities;
};
// Loads best.pt of a run and classifies one feature matrix (frames x coeffs of the run's config).
Result<Prediction> predict(const std::filesystem::path& runDir, const FeatureMatrix& features);
// Class indices predicted for many inputs ([n][frames*coeffs]); for confusion matrices.
Result<std::vector<int>> predictBatch(const std::filesystem::path& runDir,
                                      const FeatureDataset& data, Split split);

// Benchmark (bench/bench_train.cpp): training steps per second of config.model (Adam at config.lr,
// config.batch_size, config.threads intra-op threads) on `samples` synthetic random inputs of
// frames x coeffs with `classes` classes, after `warmup` steps, for about `seconds` of wall time.
// Each step is what an N-phase epoch does per batch: gather, forward, loss, backward, step.
// Rates per wall-clock second and per second of this process's CPU time (on a shared machine the
// latter is the steadier figure: time the process waited for a core is not counted).
struct TrainStepRate
{
    double perSecond = 0;
    double perCpuSecond = 0;
    long long steps = 0;
};
Result<TrainStepRate> benchmarkTrainSteps(const TrainConfig& config, int frames, int coeffs,
                                          int classes, int samples, int warmup, double seconds);

} // namespace dw
