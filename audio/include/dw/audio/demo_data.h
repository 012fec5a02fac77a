// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The built-in demo dataset: a 12-class keyword project (Speech Commands' task: yes no up down
// left right on off stop go + unknown + noise) synthesised with espeak-ng (and flite when it is
// installed), with background noise mixed in at random SNR and random time shifts. No download.
//
// Deterministic: the same seed, per-class count and installed TTS versions give byte-identical
// clips, whatever the number of parallel jobs. Every clip's parameters come from its own random
// stream (seed, clip index); TTS processes run in parallel, clips are written in index order.
//
// Threads: createDemoProject blocks; it starts `jobs` worker threads, each running one TTS
// process at a time. progress(done, total) is called on the calling thread.

#include "dw/core/result.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dw::audio {

struct DemoDataOptions
{
    std::filesystem::path out; // project folder to create (must not be a project already)
    uint64_t seed = 1;
    int perClass = 300; // clips per class (12 classes)
    int jobs = 0;       // parallel TTS processes; <= 0: one per core
    // Signal-to-noise ratio of the background mixed into word clips, uniform in dB.
    double snrMinDb = 10.0;
    double snrMaxDb = 30.0;
    bool useFlite = true;                      // add flite's voices when `flite` is installed
    const std::atomic<bool>* cancel = nullptr; // set to stop early (the project keeps what is done)
    // Empty: the 12-class demo. Otherwise a project for these keywords plus `unknown` (other
    // words, the default demo's keywords among them) and `noise`, with the same voices, noise
    // and speaker split (Edge Impulse's synthetic keyword data); a phrase is one keyword
    // ("hello world" is spoken whole and labelled hello_world). See parseKeywords().
    std::vector<std::string> keywords;
};

struct DemoDataResult
{
    int clips = 0;
    double seconds = 0.0;
    std::map<std::string, std::array<int, 3>> counts; // label -> train/validation/test
    std::vector<std::string> voices;                  // espeak-ng voices (and flite's)
    std::string espeakVersion;
    std::string fliteVersion; // empty when flite was not used
};

// The twelve labels, in class order.
const std::vector<std::string>& demoLabels();
// The words of the `unknown` class (more than 30).
const std::vector<std::string>& demoUnknownWords();

// "hello world, stop" -> {"hello world", "stop"}: comma-separated, trimmed, lower-cased. An
// Error (code 2) for an empty list or keyword, characters the synthesiser cannot be trusted to
// speak (only ASCII letters, spaces, '-' and the apostrophe), the reserved labels unknown and
// noise, a keyword given twice, or more than 20 keywords.
Result<std::vector<std::string>> parseKeywords(const std::string& list);
// The label of a keyword: spaces and '-' become '_', apostrophes are dropped ("hello world" ->
// "hello_world").
std::string keywordLabel(const std::string& keyword);

// Creates the project at options.out. An Error when espeak-ng is missing (with the package to
// install), the folder is already a project, or a clip cannot be written.
Result<DemoDataResult> createDemoProject(const DemoDataOptions& options,
                                         const std::function<void(int, int)>& progress = {});

} // namespace dw::audio
