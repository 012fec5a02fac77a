// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite live RUN (--wav FILE [--noise-only] | --device N --seconds S)`: the live keyword
// detector (dw/core/live.h) over a WAV file (processed as fast as the CPU allows, with stream
// time from the sample count) or a capture device; prints each detection and a summary.
#include "cli.h"

#include "dw/audio/import.h"
#include "dw/audio/portaudio_backend.h"
#include "dw/core/live.h"
#include "dw/core/project.h"

#include <chrono>
#include <cstdio>
#include <thread>

namespace {

using namespace dw;

void printDetection(const Detection& d)
{
    std::printf("detection  %9.3f s  %-16s %.3f\n", d.time, d.label.c_str(), d.probability);
    std::fflush(stdout);
}

Status runDevice(StreamDetector& det, int device, double seconds)
{
    auto backend = audio::PortAudioBackend::create();
    if (!backend)
        return backend.error();
    audio::CaptureConfig cfg;
    cfg.device = device;
    cfg.sampleRate = 16000;
    if (auto s = (*backend)->startCapture(cfg); !s)
        return s;
    const auto st = (*backend)->stats();
    std::fprintf(stderr, "listening to '%s' (%d Hz, %d ch -> 16000 Hz mono) for %.1f s...\n",
                 st.deviceName.c_str(), st.deviceRate, st.deviceChannels, seconds);
    std::vector<int16_t> chunk;
    Status result;
    while (det.streamSeconds() < seconds && !cli::interrupted()) {
        chunk.clear();
        Status drained = (*backend)->drain(chunk);
        const size_t want = size_t((seconds - det.streamSeconds()) * 16000.0 + 0.5);
        if (chunk.size() > want)
            chunk.resize(want);
        size_t before = det.detections().size();
        if (auto s = det.feed(chunk); !s) {
            result = s;
            break;
        }
        for (size_t i = before; i < det.detections().size(); ++i)
            printDetection(det.detections()[i]);
        if (!drained) {
            result = drained;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    (*backend)->stopCapture();
    return result;
}

int run(const std::vector<std::string>& argv)
{
    auto args = cli::Args::parse(argv, {"noise-only", "int8"});
    if (!args)
        return cli::report(args.error());
    if (auto s = args->checkKnown({"wav", "noise-only", "device", "seconds", "threshold", "smooth",
                                   "hop-ms", "int8", "project"});
        !s)
        return cli::report(s.error());
    if (args->positional().size() != 1)
        return cli::usageError("live needs one run folder",
                               "write: dendrite live RUN --wav FILE.wav (or --device N "
                               "--seconds S)");
    const bool useWav = args->has("wav");
    const bool useDevice = args->has("device") || args->has("seconds");
    if (useWav == useDevice)
        return cli::usageError("give either --wav FILE or --device N --seconds S",
                               "e.g. dendrite live RUN --wav stream.wav --noise-only");
    if (args->has("noise-only") && !useWav)
        return cli::usageError("--noise-only applies to --wav recordings",
                               "play a recording known to hold no keyword with --wav");

    DetectorConfig dc;
    auto threshold = args->getDouble("threshold", dc.threshold);
    if (!threshold)
        return cli::report(threshold.error());
    auto smooth = args->getInt("smooth", dc.smoothing);
    if (!smooth)
        return cli::report(smooth.error());
    auto hop = args->getInt("hop-ms", dc.hopMs);
    if (!hop)
        return cli::report(hop.error());
    dc.threshold = *threshold;
    dc.smoothing = *smooth;
    dc.hopMs = *hop;
    if (auto s = dc.validate(); !s)
        return cli::report(Error{s.error().message, s.error().hint, cli::kUsage});

    double seconds = 0;
    int device = -1;
    if (!useWav) {
        auto d = args->getInt("device", -1);
        if (!d)
            return cli::report(d.error());
        auto s = args->getDouble("seconds", 0.0);
        if (!s)
            return cli::report(s.error());
        if (!args->has("seconds") || *s <= 0 || *s > 24 * 3600)
            return cli::usageError("--device needs --seconds S between 0 and 86400",
                                   "e.g. --device 0 --seconds 30 (see dendrite record "
                                   "--list-devices)");
        device = *d;
        seconds = *s;
    }

    LiveModelOptions mo;
    mo.int8 = args->has("int8");
    if (auto p = args->get("project"))
        mo.project = *p;
    auto model = LiveModel::load(args->positional()[0], mo);
    if (!model)
        return cli::report(model.error());
    // Any file libsndfile reads, mixed down to mono; a higher rate is resampled to the model's,
    // a lower one is refused (the band above its Nyquist frequency is missing).
    audio::DecodedAudio audioIn;
    if (useWav) {
        const int rate = (*model)->sampleRate();
        auto a = audio::decodeAudioFile(*args->get("wav"), rate);
        if (!a)
            return cli::report(Error{a.error().message, a.error().hint, cli::kBadInput});
        if (a->originalRate < rate)
            return cli::report(makeError(
                "'" + *args->get("wav") + "' is sampled at " + std::to_string(a->originalRate) +
                    " Hz; the model listens at " + std::to_string(rate) + " Hz",
                "record at " + std::to_string(rate) +
                    " Hz or more (higher rates are resampled); upsampling would leave the "
                    "band the model expects empty",
                cli::kBadInput));
        if (a->converted())
            std::fprintf(stderr, "input: %s\n", a->conversionNote().c_str());
        audioIn = std::move(*a);
    }
    auto det = StreamDetector::create(**model, dc);
    if (!det)
        return cli::report(det.error());
    std::fprintf(stderr, "model: %s; labels:", (*model)->description().c_str());
    for (const auto& l : (*model)->labels())
        std::fprintf(stderr, " %s%s", l.c_str(), isKeywordLabel(l) ? "" : "(not a keyword)");
    std::fprintf(stderr, "\nthreshold %.2f, smoothing %d windows, hop %d ms\n", dc.threshold,
                 dc.smoothing, dc.hopMs);

    const auto t0 = std::chrono::steady_clock::now();
    int code = cli::kOk;
    if (useWav) {
        // Chunks of 100 ms, as a device would deliver them; detections print as they happen.
        const size_t chunk = 1600;
        auto& s = audioIn.samples;
        for (size_t i = 0; i < s.size() && !cli::interrupted(); i += chunk) {
            const size_t before = (*det)->detections().size();
            const size_t n = std::min(chunk, s.size() - i);
            if (auto st = (*det)->feed(std::span<const int16_t>(s.data() + i, n)); !st)
                return cli::report(st.error());
            for (size_t k = before; k < (*det)->detections().size(); ++k)
                printDetection((*det)->detections()[k]);
        }
    } else if (auto st = runDevice(**det, device, seconds); !st) {
        code = cli::report(st.error());
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& D = **det;
    std::printf("windows: %lld\n", D.windows());
    std::printf("stream: %.2f s\n", D.streamSeconds());
    std::printf("detections: %zu\n", D.detections().size());
    std::printf("processing: %.2f s (%.0f windows/s)\n", wall,
                wall > 0 ? double(D.windows()) / wall : 0.0);
    if (args->has("noise-only"))
        std::printf("false accepts per hour: %.2f (%zu in %.1f min of noise-only audio)\n",
                    D.falseAcceptsPerHour(), D.detections().size(), D.streamSeconds() / 60.0);
    if (cli::interrupted())
        return cli::kInterrupted;
    return code;
}

} // namespace

DW_REGISTER_COMMAND("live",
                    "live RUN (--wav FILE [--noise-only] | --device N --seconds S) "
                    "[--threshold 0.6] [--smooth 3] [--hop-ms 250] [--int8 [--project DIR]]",
                    "Slides a 1 s window over a recording or a microphone every hop, prints "
                    "keyword detections and false accepts per hour.",
                    run);
