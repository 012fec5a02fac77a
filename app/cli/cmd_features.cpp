// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite features FILE.wav [--set name=value ...]`: the MFCC (or MFE) of one clip as CSV,
// one row per frame, one column per coefficient, exactly what training and the board see.
#include "cli.h"

#include "dw/core/features.h"
#include "dw/core/project.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

int run(const std::vector<std::string>& argv)
{
    auto args = dw::cli::Args::parse(argv);
    if (!args)
        return dw::cli::report(args.error());
    if (auto s = args->checkKnown({"set"}); !s)
        return dw::cli::report(s.error());
    if (args->positional().size() != 1)
        return dw::cli::usageError(args->positional().empty()
                                       ? "features needs a WAV file"
                                       : "features takes one WAV file, got " +
                                             std::to_string(args->positional().size()),
                                   "write: dendrite features FILE.wav [--set num_filters=40 ...]");
    const std::string path = args->positional()[0];

    dw::FeatureConfig cfg;
    auto sets = args->sets();
    if (!sets)
        return dw::cli::report(sets.error());
    for (const auto& [name, value] : *sets) {
        if (auto s = cfg.set(name, value); !s) {
            dw::Error e = s.error();
            e.code = dw::cli::kUsage;
            return dw::cli::report(e);
        }
    }

    auto audio = dw::readWavPcm16(path);
    if (!audio) {
        dw::Error e = audio.error();
        e.code = dw::cli::kBadInput;
        return dw::cli::report(e);
    }
    if (audio->sampleRate != cfg.sample_rate)
        return dw::cli::report(dw::makeError(
            "'" + path + "' is sampled at " + std::to_string(audio->sampleRate) +
                " Hz; features expect " + std::to_string(cfg.sample_rate) + " Hz mono 16-bit PCM",
            "convert it with `dendrite import` (it resamples to 16 kHz), or pass --set "
            "sample_rate=" +
                std::to_string(audio->sampleRate) + " if you really want that rate",
            dw::cli::kBadInput));

    const std::vector<float> samples(audio->samples.begin(), audio->samples.end());
    if (auto s = cfg.validate(static_cast<int>(samples.size())); !s) {
        dw::Error e = s.error();
        e.code = dw::cli::kUsage;
        return dw::cli::report(e);
    }
    auto m = dw::computeFeatures(samples, cfg);
    if (!m)
        return dw::cli::report(m.error());

    // %.9g round-trips a float: the CSV is the exact feature matrix.
    std::string out;
    out.reserve(m->data.size() * 16);
    char cell[32];
    for (int f = 0; f < m->frames; ++f) {
        for (int c = 0; c < m->coeffs; ++c) {
            const int n =
                std::snprintf(cell, sizeof cell, "%.9g", static_cast<double>(m->at(f, c)));
            out.append(cell, static_cast<size_t>(n));
            out.push_back(c + 1 < m->coeffs ? ',' : '\n');
        }
    }
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0)
        return dw::cli::report(dw::makeError("cannot write the CSV to standard output",
                                             "check the pipe or the disk", dw::cli::kFailure));
    return dw::cli::kOk;
}

} // namespace

DW_REGISTER_COMMAND("features",
                    "features FILE.wav [--set name=value ...]   (names: num_cepstral, "
                    "frame_length, frame_stride, num_filters, fft_length, win_size, "
                    "low_frequency, high_frequency, pre_cof, kind=mfcc|mfe, window=none|hann)",
                    "Print a clip's MFCC/MFE features as CSV, one row per frame.", run);
