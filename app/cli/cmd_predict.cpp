// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite predict RUN FILE.wav`: class probabilities of one clip from a run's best checkpoint,
// as JSON with the labels in the project's order.
#include "cli.h"
#include "train_common.h"

#include "dw/core/features.h"
#include "dw/core/project.h"
#include "dw/core/training.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace {

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv);
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown({}); !s)
        return dw::cli::report(s.error());
    if (args->positional().size() != 2)
        return dw::cli::usageError("predict needs a run folder and a WAV file",
                                   "write: dendrite predict RUN FILE.wav");
    std::filesystem::path runDir(args->positional()[0]);
    const std::string wav = args->positional()[1];
    auto cfg = dw::cli::runConfig(runDir);
    if (!cfg)
        return dw::cli::report(cfg.error());
    auto audio = dw::readWavPcm16(wav);
    if (!audio) {
        dw::Error e = audio.error();
        e.code = dw::cli::kBadInput;
        return dw::cli::report(e);
    }
    const dw::FeatureConfig& fc = cfg->features;
    if (audio->sampleRate != fc.sample_rate)
        return dw::cli::report(dw::makeError(
            "'" + wav + "' is sampled at " + std::to_string(audio->sampleRate) +
                " Hz; the model was trained on " + std::to_string(fc.sample_rate) + " Hz",
            "convert it with `dendrite import` (it resamples), then predict the imported clip",
            dw::cli::kBadInput));
    // The model sees 1 s windows: shorter clips are zero-padded, longer ones cropped.
    std::vector<float> samples(size_t(fc.sample_rate), 0.0f);
    const size_t n = std::min(samples.size(), audio->samples.size());
    for (size_t i = 0; i < n; ++i)
        samples[i] = float(audio->samples[i]);
    auto m = dw::computeFeatures(samples, fc);
    if (!m)
        return dw::cli::report(m.error());
    auto p = dw::predict(runDir, *m);
    if (!p)
        return dw::cli::report(p.error());
    nlohmann::ordered_json j;
    j["file"] = wav;
    size_t best = 0;
    nlohmann::ordered_json probs = nlohmann::ordered_json::object();
    for (size_t i = 0; i < p->labels.size(); ++i) {
        probs[p->labels[i]] = p->probabilities[i];
        if (p->probabilities[i] > p->probabilities[best])
            best = i;
    }
    j["labels"] = p->labels;
    j["probabilities"] = probs;
    j["prediction"] = p->labels.empty() ? "" : p->labels[best];
    if (audio->samples.size() != size_t(fc.sample_rate))
        j["note"] = "clip has " + std::to_string(audio->samples.size()) +
                    " samples; padded/cropped to " + std::to_string(fc.sample_rate);
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return dw::cli::kOk;
}

} // namespace

DW_REGISTER_COMMAND("predict", "predict RUN FILE.wav",
                    "Prints the class probabilities of one clip as JSON, from a run's best "
                    "checkpoint.",
                    run);
