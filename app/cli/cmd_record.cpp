// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite record`: records S seconds from a device (PortAudio, or a WAV played at real-time
// pace with --fake), splits the session into 1 s clips around utterances and saves them into the
// project (each clip written atomically and listed at once).
#include "cli.h"

#include "dw/audio/fake_backend.h"
#include "dw/audio/portaudio_backend.h"
#include "dw/audio/recorder.h"
#include "dw/core/project_lock.h"

#include <chrono>
#include <cstdio>
#include <thread>

namespace {

using namespace dw;

Result<std::unique_ptr<audio::Backend>> makeBackend(const cli::Args& args)
{
    if (auto fake = args.get("fake")) {
        audio::FakeOptions opt;
        auto speed = args.getDouble("speed", 1.0);
        if (!speed)
            return speed.error();
        if (*speed <= 0 || *speed > 1000)
            return makeError("--speed must be in (0, 1000]", "use 1 for real time", cli::kUsage);
        opt.speed = *speed;
        auto b = audio::FakeBackend::fromWav(*fake, opt);
        if (!b)
            return Error{b.error().message, b.error().hint, cli::kBadInput};
        return std::unique_ptr<audio::Backend>(std::move(*b));
    }
    auto b = audio::PortAudioBackend::create();
    if (!b)
        return b.error();
    return std::unique_ptr<audio::Backend>(std::move(*b));
}

int listDevices(audio::Backend& backend)
{
    auto devices = backend.listDevices();
    if (!devices)
        return cli::report(devices.error());
    if (devices->empty()) {
        std::printf("no audio devices found (%s)\n", backend.name().c_str());
        std::printf("hint: connect a microphone, or start JACK: jackd --no-realtime -d dummy "
                    "-r 16000\n");
        return cli::kOk;
    }
    std::printf("%-5s %-3s %-40s %-28s %4s %4s %8s\n", "index", "def", "name", "host API", "in",
                "out", "rate");
    for (const auto& d : *devices)
        std::printf("%-5d %-3s %-40s %-28s %4d %4d %8.0f\n", d.index,
                    d.isDefaultInput ? "in" : (d.isDefaultOutput ? "out" : ""), d.name.c_str(),
                    d.hostApi.c_str(), d.maxInputChannels, d.maxOutputChannels,
                    d.defaultSampleRate);
    return cli::kOk;
}

int run(const std::vector<std::string>& argv)
{
    auto args = cli::Args::parse(argv, {"list-devices"});
    if (!args)
        return cli::report(args.error());
    if (auto s = args->checkKnown({"project", "label", "seconds", "device", "list-devices",
                                   "threshold", "padding", "shift", "fake", "speed"});
        !s)
        return cli::report(s.error());

    auto backend = makeBackend(*args);
    if (!backend)
        return cli::report(backend.error());
    if (args->has("list-devices"))
        return listDevices(**backend);

    const auto projectDir = args->get("project");
    const auto label = args->get("label");
    if (!projectDir || !label || !args->has("seconds"))
        return cli::usageError("record needs --project DIR, --label L and --seconds S",
                               "e.g. dendrite record --project demo --label yes --seconds 10");
    auto seconds = args->getDouble("seconds", 0.0);
    if (!seconds)
        return cli::report(seconds.error());
    if (*seconds <= 0 || *seconds > 3600)
        return cli::usageError("--seconds must be between 0 and 3600",
                               "record 10 s sessions while repeating the word");
    auto device = args->getInt("device", -1);
    if (!device)
        return cli::report(device.error());
    SplitterConfig split;
    auto threshold = args->getDouble("threshold", split.thresholdDb);
    auto padding = args->getDouble("padding", split.paddingSeconds);
    auto shift = args->getDouble("shift", split.maxShiftSeconds);
    for (auto* r : {&threshold, &padding, &shift})
        if (!*r)
            return cli::report(r->error());
    if (*threshold < 0 || *threshold > 80)
        return cli::usageError("--threshold must be between 0 and 80 dB above the noise floor",
                               "the default is 12 dB; lower finds quieter words");
    if (*padding < 0 || *padding > 0.5 || *shift < 0 || *shift > 0.5)
        return cli::usageError("--padding and --shift must be between 0 and 0.5 s",
                               "the defaults are 0.05 s padding and no shift");
    split.thresholdDb = *threshold;
    split.paddingSeconds = *padding;
    split.maxShiftSeconds = *shift;
    split.seed = uint64_t(std::chrono::system_clock::now().time_since_epoch().count());

    if (auto v = Project::validateLabel(*label); !v)
        return cli::report(Error{v.error().message, v.error().hint, cli::kUsage});
    auto lock = ProjectLock::acquire(*projectDir);
    if (!lock)
        return cli::report(Error{lock.error().message, lock.error().hint, cli::kBadInput});
    auto project = Project::open(*projectDir, &*lock);
    if (!project)
        return cli::report(Error{project.error().message, project.error().hint, cli::kBadInput});

    audio::Recorder rec(backend->get());
    audio::CaptureConfig config;
    config.device = *device;
    if (auto s = rec.start(config); !s)
        return cli::report(s.error());
    const auto stats = rec.stats();
    std::fprintf(stderr,
                 "recording %.1f s from '%s' (%d Hz, %d ch -> 16000 Hz mono); say '%s' "
                 "again and again...\n",
                 *seconds, stats.deviceName.c_str(), stats.deviceRate, stats.deviceChannels,
                 label->c_str());
    const size_t target = size_t(*seconds * 16000.0);
    std::optional<Error> deviceError;
    while (rec.samples().size() < target && !cli::interrupted()) {
        auto r = rec.poll();
        if (!r) {
            deviceError = r.error();
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    rec.stop();
    if (deviceError)
        cli::report(*deviceError);
    std::fprintf(stderr, "recorded %.2f s%s\n", rec.seconds(),
                 cli::interrupted() ? " (interrupted)" : "");
    if (rec.stats().droppedSamples > 0)
        std::fprintf(stderr, "warning: %llu samples were dropped (the machine was too busy)\n",
                     static_cast<unsigned long long>(rec.stats().droppedSamples));

    auto proposals = rec.propose(split, *label);
    if (proposals.empty()) {
        std::printf("no utterances found in %.2f s of audio: nothing saved\n", rec.seconds());
        std::fprintf(stderr, "hint: speak louder or closer, or lower --threshold (now %.1f dB)\n",
                     split.thresholdDb);
        return deviceError ? cli::kFailure : cli::kOk;
    }
    const auto report = rec.save(*project, proposals);
    for (const auto& line : report.skipped)
        std::fprintf(stderr, "skipped: %s\n", line.c_str());
    for (const Clip& c : report.saved)
        std::printf("saved %s (%s, %s)\n", c.path.c_str(), c.label.c_str(), splitName(c.split));
    std::printf("%zu clips of '%s' saved to %s\n", report.saved.size(), label->c_str(),
                project->root().string().c_str());
    if (report.error)
        return cli::report(*report.error);
    if (deviceError)
        return cli::kFailure;
    return cli::interrupted() ? cli::kInterrupted : cli::kOk;
}

} // namespace

DW_REGISTER_COMMAND("record",
                    "record --project DIR --label L --seconds S [--device N] [--list-devices] "
                    "[--threshold DB] [--padding S] [--shift S] [--fake FILE.wav [--speed X]]",
                    "Record from a microphone (or a WAV with --fake), split into 1 s clips, save.",
                    run);
