// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Synthetic run records for UI tests: a cc run with N, P, N, P, N phases, two additions and one
// reverted attempt, plus traditional and gd runs; values look like a small KWS model's.

#include "dw/core/run_record.h"

#include <cmath>
#include <string>

namespace dw::test {

inline EpochRecord syntheticEpoch(int epoch, char phase, int k, long long params, double acc,
                                  size_t layers = 2)
{
    EpochRecord e;
    e.epoch = epoch;
    e.phase = phase;
    e.dendrites.assign(layers, k);
    e.params = params;
    e.train_accuracy = std::min(1.0, acc + 0.03);
    e.val_accuracy = acc;
    e.test_accuracy = acc - 0.01;
    e.train_loss = 2.2 * (1.0 - acc) + 0.05;
    e.val_loss = 2.4 * (1.0 - acc) + 0.08;
    e.lr = epoch < 12 ? 0.005 : 0.0025;
    e.seconds = phase == 'P' ? 0.8 : 1.1;
    if (phase == 'P')
        for (size_t l = 0; l < layers; ++l) {
            e.candidate_scores.push_back(2e-4 * (l + 1) * (1 + 0.4 * (epoch % 7)));
            e.candidate_correlations.push_back(0.1 + 0.05 * double(l) + 0.01 * (epoch % 3));
        }
    return e;
}

// cc: N(1-8) -> P(9-12) -> added -> N(13-20) -> P(21-23) -> added -> N(24-30) -> reverted
// -> N(31-34) -> finished.
inline RunRecord syntheticCcRun(const std::string& name = "20260101-120000-cc")
{
    RunRecord r;
    r.name = name;
    r.dir = "/nonexistent/" + name;
    r.config.mode = "cc";
    r.status = "finished";
    r.startedAt = "2026-01-01T12:00:00Z";
    long long params = 1200;
    int k = 0;
    double acc = 0.55;
    int epoch = 1;
    auto nPhase = [&](int n) {
        for (int i = 0; i < n; ++i, ++epoch) {
            acc = std::min(0.97, acc + 0.06 / (1 + i));
            r.epochs.push_back(syntheticEpoch(epoch, 'N', k, params, acc));
        }
    };
    auto pPhase = [&](int n) {
        r.switches.push_back({epoch - 1, "N->P", k, params, "no improvement", "n_patience"});
        for (int i = 0; i < n; ++i, ++epoch)
            r.epochs.push_back(syntheticEpoch(epoch, 'P', k, params, acc));
        ++k;
        params += 1300 + 40 * k;
        r.switches.push_back({epoch - 1, "added", k, params, "dendrite added", ""});
        r.switches.push_back({epoch - 1, "P->N", k, params, "", "p_patience"});
    };
    nPhase(8);
    pPhase(4);
    nPhase(8);
    pPhase(3);
    nPhase(7);
    params -= 1300 + 40 * k;
    --k;
    r.switches.push_back({epoch - 1, "reverted", k, params, "no new global best", "n_patience"});
    nPhase(4);
    r.switches.push_back({epoch - 1, "finished", k, params, "max tries", "max_tries"});
    RunSummary s;
    s.mode = "cc";
    s.params = params;
    s.val_accuracy = acc;
    s.test_accuracy = acc - 0.01;
    s.best_epoch = epoch - 1;
    s.epochs = epoch - 1;
    s.seconds = 33;
    s.dendrites = {k, k};
    s.wrapped_layers = {"fc1", "fc2"};
    s.status = "finished";
    r.summary = s;
    return r;
}

inline RunRecord syntheticPlainRun(const std::string& mode, long long params, double finalAcc,
                                   const std::string& name)
{
    RunRecord r;
    r.name = name;
    r.dir = "/nonexistent/" + name;
    r.config.mode = mode;
    r.status = "finished";
    double acc = 0.5;
    for (int e = 1; e <= 20; ++e) {
        acc += (finalAcc - acc) * 0.3;
        r.epochs.push_back(syntheticEpoch(e, 'N', 0, params, acc));
    }
    RunSummary s;
    s.mode = mode;
    s.params = params;
    s.val_accuracy = acc;
    s.test_accuracy = finalAcc;
    s.best_epoch = 20;
    s.epochs = 20;
    s.seconds = 20;
    s.dendrites = {0, 0};
    s.status = "finished";
    r.summary = s;
    return r;
}

} // namespace dw::test
