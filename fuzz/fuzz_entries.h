// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The fuzzed entry points, shared by the libFuzzer targets (fuzz/fuzz_<name>.cpp, built with
// -DDW_FUZZ=ON and clang) and the corpus replay test (test_fuzz_corpus, any compiler), so a
// committed corpus file or crash reproducer runs through exactly the code the fuzzer ran.
// Each function must return normally for any input: a parse error is a Result, never a crash.
// Not thread-safe (file-based targets share one scratch folder per process).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dw::fuzz {

using Entry = int (*)(const uint8_t* data, size_t size);

struct Target
{
    const char* name; // also the corpus folder name: fuzz/corpus/<name>/
    Entry entry;
};

// wav: the bytes as a .wav file through readWavPcm16.
int fuzzWav(const uint8_t* data, size_t size);
// project: the bytes as project.json through Project::open (plus the clips/ it names).
int fuzzProject(const uint8_t* data, size_t size);
// run_record: the bytes split at "\n----\n" into config.json, events.jsonl, summary.json and
// status of a run folder, read by readRun; each part also through TrainConfig::fromJson and
// runSummaryFromJson.
int fuzzRunRecord(const uint8_t* data, size_t size);
// sweep: the bytes through parseSweep; when it parses, trials 0..2 and the baseline are made.
int fuzzSweep(const uint8_t* data, size_t size);
// results_csv: the bytes through parseResultsCsv and rowFromJson; parsed rows are written back
// with resultsCsv and parsed again (the merge round trip), and findings are computed.
int fuzzResultsCsv(const uint8_t* data, size_t size);

// names: the bytes as a file or label name: escapeInvalidUtf8 / unescapeBytes round trip,
// isValidUtf8, Project::validateLabel, displayPath (aborts when a round trip breaks).
int fuzzNames(const uint8_t* data, size_t size);
// checkpoint: the bytes as best.pt through checkCheckpointFile (the zip structure check).
int fuzzCheckpoint(const uint8_t* data, size_t size);

const std::vector<Target>& targets();

} // namespace dw::fuzz
