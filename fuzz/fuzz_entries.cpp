// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzz_entries.h"

#include "dw/core/atomic_file.h"
#include "dw/core/names.h"
#include "dw/core/project.h"
#include "dw/core/run_record.h"
#include "dw/core/sweep.h"
#include "dw/core/train_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <unistd.h>

namespace dw::fuzz {
namespace fs = std::filesystem;

namespace {

// One scratch folder per process, on tmpfs when there is one (the fuzzer writes it ~1000x/s).
const fs::path& scratch()
{
    static const fs::path dir = [] {
        fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        fs::path d = base / ("dw-fuzz-" + std::to_string(::getpid()));
        fs::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            fs::remove_all(fs::path("/dev/shm") / ("dw-fuzz-" + std::to_string(::getpid())), ec);
            fs::remove_all(fs::temp_directory_path() / ("dw-fuzz-" + std::to_string(::getpid())),
                           ec);
        });
        return d;
    }();
    return dir;
}

void putFile(const fs::path& p, std::string_view bytes)
{
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string_view> splitParts(std::string_view s, std::string_view sep, size_t max)
{
    std::vector<std::string_view> parts;
    while (parts.size() + 1 < max) {
        const size_t at = s.find(sep);
        if (at == std::string_view::npos)
            break;
        parts.push_back(s.substr(0, at));
        s.remove_prefix(at + sep.size());
    }
    parts.push_back(s);
    return parts;
}

// Touches every field so a reader that returned garbage is at least memory-safe to use.
size_t consume(const std::string& s)
{
    return s.size();
}

} // namespace

int fuzzWav(const uint8_t* data, size_t size)
{
    const fs::path p = scratch() / "clip.wav";
    putFile(p, {reinterpret_cast<const char*>(data), size});
    auto audio = readWavPcm16(p);
    if (audio) {
        long long sum = 0;
        for (int16_t v : audio->samples)
            sum += v;
        (void)sum;
    }
    return 0;
}

int fuzzProject(const uint8_t* data, size_t size)
{
    const fs::path root = scratch() / "project";
    std::error_code ec;
    fs::remove_all(root, ec);
    fs::create_directories(root / "clips" / "yes");
    putFile(root / "project.json", {reinterpret_cast<const char*>(data), size});
    // A listed clip and an unlisted one, so the repair paths run too.
    Audio a;
    a.samples.assign(160, 100);
    (void)writeWavPcm16(root / "clips" / "yes" / "yes_0.wav", a);
    (void)writeWavPcm16(root / "clips" / "yes" / "orphan.wav", a);
    auto p = Project::open(root);
    if (p) {
        size_t n = 0;
        for (const auto& c : p->clips())
            n += consume(c.id) + consume(c.path) + static_cast<size_t>(c.samples);
        for (const auto& line : p->openReport())
            n += consume(line);
        (void)p->counts();
        (void)n;
        // What open() accepted and repaired must save and open again to the same clips (the
        // manifest validation is idempotent).
        if (p->save()) {
            auto again = Project::open(root);
            if (!again || again->clips().size() != p->clips().size())
                std::abort();
        }
    }
    return 0;
}

int fuzzNames(const uint8_t* data, size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    // Valid UTF-8 is kept as it is; anything else is escaped (project.json then marks it
    // "source_escaped") into valid UTF-8 that unescapes to the original bytes.
    const std::string escaped = escapeInvalidUtf8(bytes);
    if (!isValidUtf8(escaped))
        std::abort();
    if (isValidUtf8(bytes)) {
        if (escaped != bytes)
            std::abort();
    } else {
        const auto back = unescapeBytes(escaped);
        if (!back || *back != bytes)
            std::abort();
    }
    // Arbitrary bytes as an escaped name, a label and a path to show.
    if (auto u = unescapeBytes(bytes))
        (void)consume(*u);
    (void)Project::validateLabel(bytes);
    if (!isValidUtf8(displayPath(fs::path(bytes))))
        std::abort();
    return 0;
}

int fuzzCheckpoint(const uint8_t* data, size_t size)
{
    const fs::path p = scratch() / "best.pt";
    putFile(p, {reinterpret_cast<const char*>(data), size});
    (void)checkCheckpointFile(p);
    return 0;
}

int fuzzRunRecord(const uint8_t* data, size_t size)
{
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const auto parts = splitParts(all, "\n----\n", 4);
    const fs::path dir = scratch() / "run";
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    const char* names[] = {"config.json", "events.jsonl", "summary.json", "status"};
    for (size_t i = 0; i < parts.size(); ++i)
        putFile(dir / names[i], parts[i]);
    auto run = readRun(dir);
    if (run) {
        size_t n = consume(run->status) + consume(run->startedAt) + run->epochs.size() +
                   run->switches.size();
        for (const auto& e : run->epochs)
            n += consume(toJson(e));
        for (const auto& s : run->switches)
            n += consume(toJson(s));
        if (run->summary)
            n += consume(toJson(*run->summary));
        (void)n;
    }
    for (const auto& part : parts) {
        const std::string text(part);
        auto cfg = TrainConfig::fromJson(text);
        if (cfg)
            (void)cfg->validate();
        (void)runSummaryFromJson(text);
    }
    return 0;
}

int fuzzSweep(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto spec = sweep::parseSweep(text, scratch());
    if (spec) {
        (void)spec->toJson();
        for (int i = 0; i < 3 && i < spec->trials; ++i)
            (void)sweep::makeTrial(*spec, i);
        (void)sweep::makeTrial(*spec, spec->trials); // out of range: an Error
        (void)sweep::makeBaselineTrial(*spec);
    }
    return 0;
}

int fuzzResultsCsv(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto rows = sweep::parseResultsCsv(text);
    if (rows) {
        const std::string again = sweep::resultsCsv(*rows);
        auto back = sweep::parseResultsCsv(again);
        if (!back || back->size() != rows->size())
            std::abort(); // what merge writes must read back
        (void)sweep::computeFindings(*rows);
        (void)sweep::paretoFrontier(*rows, "");
    }
    auto row = sweep::rowFromJson(text);
    if (row)
        (void)sweep::rowFromJson(sweep::rowToJson(*row));
    return 0;
}

const std::vector<Target>& targets()
{
    static const std::vector<Target> t = {{"wav", fuzzWav},
                                          {"project", fuzzProject},
                                          {"run_record", fuzzRunRecord},
                                          {"sweep", fuzzSweep},
                                          {"results_csv", fuzzResultsCsv},
                                          {"names", fuzzNames},
                                          {"checkpoint", fuzzCheckpoint}};
    return t;
}

} // namespace dw::fuzz
