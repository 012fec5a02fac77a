// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Decoding any audio file libsndfile reads into the project's clip format (16 kHz, mono, int16),
// and importing files and folders into a project (`dendrite import`, the GUI's import dialog).
//
// Threads: everything here runs on the caller's thread; the progress callback too. Import
// mutates the Project, so the caller must own it (see project.h). Source files are only read,
// never moved or changed.

#include "dw/core/project.h"
#include "dw/core/result.h"
#include "dw/core/splitter.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace dw::audio {

// A decoded file, converted to mono int16 at the requested rate.
struct DecodedAudio
{
    std::vector<int16_t> samples;
    int sampleRate = 16000; // rate of `samples`
    int originalRate = 0;   // as stored in the file
    int originalChannels = 0;
    std::string originalFormat; // e.g. "WAV PCM 16-bit", "WAV float 32-bit", "FLAC PCM 24-bit"
    int64_t originalFrames = 0;
    // True when anything was changed (rate, channels or sample format).
    bool converted() const;
    // e.g. "8000 Hz stereo WAV float 32-bit -> 16000 Hz mono PCM 16-bit"; empty if not converted.
    std::string conversionNote() const;
};

// Decodes with libsndfile, mixes channels down (mean), resamples with libsamplerate (sinc,
// medium quality) and converts to int16 with rounding and clipping. Errors name the file and say
// why: not found, not an audio file / corrupt, empty (0 frames).
Result<DecodedAudio> decodeAudioFile(const std::filesystem::path& path, int targetRate = 16000);

// Mono float (any scale) resampled with libsamplerate; returns the input unchanged when the rates
// are equal. An Error when libsamplerate refuses (bad ratio).
Result<std::vector<float>> resampleMono(std::span<const float> in, int fromRate, int toRate);

// Float in [-1, 1] to int16 with rounding and clipping.
std::vector<int16_t> floatToPcm16(std::span<const float> in);

// File name extensions (lower case, with the dot) that import picks up in folders.
const std::vector<std::string>& audioFileExtensions();

struct ImportOptions
{
    // Label for every imported clip; empty: taken from the folder layout (a folder per label),
    // and for loose files from their parent folder's name.
    std::string label;
    // When not empty, labels outside this list (other than noiseLabel) become unknownLabel:
    // Speech Commands' 35 words imported as the 12-class task.
    std::vector<std::string> keywords;
    std::string unknownLabel = "unknown";
    // Speech Commands' `_background_noise_` recordings are cut into 1 s windows of this label.
    std::string noiseLabel = "noise";
    // Clips longer than one window are split around utterances with these settings (labels
    // that hold noise are cut into consecutive windows instead).
    SplitterConfig splitter;
    // Clips shorter than one window are zero-padded at the end (as Speech Commands' loaders do).
    // Polled between files: when it returns true (Ctrl-C in the CLI) the import stops after the
    // file it is on; the clips done so far are saved and listed, the report says how many files
    // were left.
    std::function<bool()> shouldStop;
};

struct ImportReport
{
    int filesSeen = 0;      // audio files found
    int filesImported = 0;  // files that gave at least one clip
    int filesSkipped = 0;   // corrupt, empty, nothing found
    int filesConverted = 0; // resampled, mixed down or re-quantised
    int filesSplit = 0;     // longer than one window, split into several clips
    int clipsAdded = 0;
    std::map<std::string, int> clipsPerLabel;
    std::map<std::string, int> conversions; // conversion note -> number of files
    std::vector<std::string> lines;         // one line per skipped file or notable event
    std::string layout;                     // "speech-commands", "folder-per-label", "files"
    bool interrupted = false;               // shouldStop() ended it early
    int filesLeft = 0;                      // files not looked at because of that
    std::string text() const;               // human-readable summary plus the lines
};

// Imports files and folders into the project. A folder is read as Speech Commands' layout when it
// holds validation_list.txt / testing_list.txt or `_background_noise_` (splits then follow the
// lists; the speaker part of "<speaker>_nohash_<n>.wav" is the split identity otherwise), else as
// a folder per label (subfolders), else as one label (audio files directly inside).
// Bad files never stop the import: each is skipped with a line in the report. The manifest is
// saved once at the end (and on error). An Error only when nothing could be done at all (no path
// exists) or the project cannot be written.
Result<ImportReport> importPaths(Project& project, const std::vector<std::filesystem::path>& paths,
                                 const ImportOptions& options = {},
                                 const std::function<void(int, int)>& progress = {});

} // namespace dw::audio
