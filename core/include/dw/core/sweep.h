// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Hyperparameter sweeps (issue 7; perforated-backprop.md sections 7 and 8). std-only.
//
// A sweep file is JSON (documented in resources/sweeps/README.md):
//   {
//     "name": "paper", "description": "...",
//     "project": "../demo",            // optional, relative to the sweep file; --project wins
//     "search": "random",             // random | grid | list
//     "trials": 800,                  // random: how many; grid: optional, must equal the grid
//     "seed": 1,
//     "stratify": "mode",             // "mode" (default): equal trials per model type; "" none
//     "paired": true,                 // stratified random: trials 3k..3k+2 share every other knob
//     "epochs_max": 40,               // the per-trial epoch cap (same as fixed.epochs_max)
//     "fixed": {"model": "custom"},   // knobs set for every trial
//     "knobs": {                      // knobs varied across trials
//       "conv_layers": [1, 2, 3],                   // a list of values
//       "dropout": {"min": 0.1, "max": 0.5},        // a range (random search only)
//       "lr": {"min": 0.001, "max": 0.05, "log": true},
//       "n_patience": {"min": 5, "max": 30, "integer": true},
//       "improvement_thresholds": [[0.001, 0.0001, 0], [0]]
//     },
//     "configs": [{"mode": "gd", ...}],  // search "list" only: explicit trials
//     "baseline": {"model": "ei1d", "mode": "traditional"}, // optional measured baseline trial
//     "seeds_per_trial": 1            // unused by random/grid; "list" reruns set seeds explicitly
//   }
// Knob names are the spec's (section 8) and TrainConfig's; unknown names are errors.
//
// A sweep directory (the --out DIR) holds:
//   sweep.json          the sweep, pinned on first use (a trial with a different file is refused)
//   claims/<id>         O_EXCL claim of a trial: "host pid unix-time" (one runner per trial)
//   rows/<id>.json      one result row per finished (or failed) trial; published with link(2) so
//                       a second writer can never replace or duplicate it
//   runs/<id>/          the trial's run folder (training.h layout)
// Trial ids are the zero-padded index ("000042") or "baseline".

#include "dw/core/result.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dw::sweep {

// Knob names of spec section 8 (plus the engine's `threads`, `early_stop_patience`), in the
// spec's order; the columns of results.csv follow this order.
const std::vector<std::string>& specKnobNames();

struct KnobSpec {
    std::string name;
    std::vector<std::string> values; // list: each value as TrainConfig::set takes it
    bool isRange = false;            // range: uniform in [min, max] (random search only)
    double min = 0, max = 0;
    bool log = false;     // log-uniform
    bool integer = false; // whole numbers, both ends included
};

using KnobValues = std::vector<std::pair<std::string, std::string>>; // (name, value), ordered

struct SweepSpec {
    std::string name;
    std::string description;
    std::string search = "random"; // random | grid | list
    int trials = 0;                // resolved trial count (grid: product; list: configs)
    uint64_t seed = 1;
    std::string stratify = "mode"; // "" = none
    bool paired = false;
    std::filesystem::path project; // absolute once resolved; may be empty
    KnobValues fixed;              // includes epochs_max when the file set it
    std::vector<KnobSpec> knobs;   // sorted by name (deterministic draw order)
    std::vector<KnobValues> configs; // search "list"
    std::optional<KnobValues> baseline;

    // Canonical JSON of everything that decides the trials (the pinned sweep.json).
    std::string toJson() const;
};

// Parses and validates a sweep file. baseDir resolves a relative "project". knownKnobs defaults
// to specKnobNames() + the EI feature names. Errors name the offending knob / field.
Result<SweepSpec> parseSweep(const std::string& json, const std::filesystem::path& baseDir = {},
                             const std::vector<std::string>& knownKnobs = {});
Result<SweepSpec> loadSweep(const std::filesystem::path& file,
                            const std::vector<std::string>& knownKnobs = {});

// Formats a JSON value text (number, string, bool, array) as the string TrainConfig::set takes:
// numbers in shortest round-trip form, arrays as comma-separated items.
std::string knobValueText(const std::string& jsonValue);

struct Trial {
    int index = -1;  // -1 for the baseline
    std::string id;  // "000042" | "baseline"
    KnobValues knobs; // fixed knobs first, then the varied ones; every trial sets `seed`
};

std::string trialId(int index);
// Deterministic from (spec.seed, index): the same index gives the same knobs on any machine.
// An Error when index is outside 0..trials-1.
Result<Trial> makeTrial(const SweepSpec& spec, int index);
// The baseline trial (spec.baseline over spec.fixed); an Error when the sweep defines none.
Result<Trial> makeBaselineTrial(const SweepSpec& spec);

// One finished (or failed) trial.
struct TrialRow {
    std::string id;
    int index = -1;
    std::map<std::string, std::string> knobs; // every knob of the run's config, by name
    long long params = 0;
    double val = 0;  // best validation accuracy
    double test = 0; // test accuracy at the best-validation epoch
    int testCount = 0; // test examples (for bootstrap CIs)
    int dendrites = 0; // max K over wrapped layers
    double seconds = 0;
    std::string status = "finished"; // "finished" | "stopped" | "failed: <message>"
    std::string run; // run folder relative to the sweep directory
    std::string mode() const;
    bool finished() const { return status == "finished"; }
};
std::string rowToJson(const TrialRow& row);
Result<TrialRow> rowFromJson(const std::string& json);

// ---- the sweep directory -------------------------------------------------------------------
struct ScanResult {
    std::vector<TrialRow> rows;        // valid rows, sorted by index (baseline first)
    std::vector<std::string> corrupt;  // "rows/000042.json: <reason>", one per bad row file
    std::vector<std::string> running;  // claimed ids without a row (running or died)
    std::vector<int> missing;          // indices with neither row nor claim
    int total = 0;                     // trials of the sweep
};

class SweepDir
{
public:
    // Opens DIR, pinning spec as DIR/sweep.json on first use; an Error when DIR holds a
    // different sweep.
    static Result<SweepDir> create(const std::filesystem::path& dir, const SweepSpec& spec);
    // Opens an existing sweep directory (reads DIR/sweep.json).
    static Result<SweepDir> open(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const { return m_dir; }
    const SweepSpec& spec() const { return m_spec; }
    std::filesystem::path rowPath(const std::string& id) const;
    std::filesystem::path runPath(const std::string& id) const;
    std::filesystem::path claimPath(const std::string& id) const;

    bool hasRow(const std::string& id) const;

    enum class Claim { Claimed, Finished, Busy };
    // Claims a trial with O_EXCL. Finished when a valid row exists; Busy when a live process
    // holds it. A claim left by a dead process on this host is taken over (its partial run folder
    // is moved aside), as is a corrupt row (moved to rows/<id>.json.corrupt-<time>).
    Result<Claim> claim(const std::string& id) const;
    void release(const std::string& id) const;

    // Publishes a row without ever replacing one: Error (nothing written) if the row exists.
    Status writeRow(const TrialRow& row) const;

    ScanResult scan() const;
    // Writes DIR/results.csv (atomic) from scan(); returns the scan (caller reports corrupt rows).
    Result<ScanResult> merge() const;

private:
    std::filesystem::path m_dir;
    SweepSpec m_spec;
};

// results.csv: trial, every knob present in any row (spec order, then by name), params, val,
// test, dendrites, seconds, test_n, status, run. Values with commas/quotes are quoted.
std::string resultsCsv(const std::vector<TrialRow>& rows);
// Reads a results.csv back (for the GUI and for analysis of a committed file).
Result<std::vector<TrialRow>> parseResultsCsv(const std::string& csv);

// ---- analysis (chosen by validation accuracy, test accuracy reported) -----------------------
struct Interval {
    double lo = 0, hi = 0;
};
// Percentile bootstrap of an accuracy measured on n examples (resampling the n outcomes);
// deterministic for a given seed. n <= 0 gives [acc, acc].
Interval bootstrapAccuracyCI(double accuracy, int n, int resamples = 2000, uint64_t seed = 1,
                             double level = 0.95);

// Indices into rows of the Pareto frontier of one model type: finished rows (baseline
// excluded) with strictly higher validation accuracy than every row of that type with fewer or
// equal params, sorted by params. Empty mode means all types together.
std::vector<size_t> paretoFrontier(const std::vector<TrialRow>& rows, const std::string& mode);

struct Finding {
    std::string what;   // e.g. "smallest model beating the baseline (gd)"
    std::string id;     // trial id, empty when none qualifies
    std::string mode;
    long long params = 0;
    double val = 0, test = 0;
    Interval ci;
    std::string note;   // e.g. "29 % more error than the most accurate model"
};

struct Findings {
    std::optional<TrialRow> baseline;
    std::map<std::string, int> trialsPerMode; // finished trials each finding rests on
    std::vector<Finding> items;
    std::vector<long long> budgets;
    // best[mode][budget index]: the best-validation trial within the budget
    std::map<std::string, std::vector<Finding>> perBudget;
};
Findings computeFindings(const std::vector<TrialRow>& rows,
                         const std::vector<long long>& budgets = {1000, 2000, 5000, 10000});
std::string findingsMarkdown(const Findings& f);

// The model types in the paper's order and colours (traditional blue, gd pink, cc yellow).
const std::vector<std::string>& modeOrder();

// A "list" sweep that repeats the given rows' knobs over `seeds` new seeds (seed + 1000*k).
SweepSpec frontierRerunSpec(const SweepSpec& base, const std::vector<TrialRow>& rows, int seeds);

} // namespace dw::sweep
