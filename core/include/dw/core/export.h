// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Exporting a trained run for boards (kws-pipeline.md section 5): the network in clean form
// (dendrite branches as plain layers + per-channel scale-and-add) as a C header for the portable
// C99 runtime (runtime/dw_nn.h, float32 or int8), or as ONNX. Also the board report, the check of
// the C runtime against LibTorch (verify) and an inference timing. Torch stays behind this header.
// Blocking calls; run them on a worker thread. Every file is written atomically.

#include "dw/core/dataset.h"
#include "dw/core/result.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dw {

enum class ExportFormat
{
    C,
    CInt8,
    Onnx
};
std::optional<ExportFormat> exportFormatFromName(const std::string& name); // c | c-int8 | onnx
const char* exportFormatName(ExportFormat f);

// What the model costs on a board. Estimates unless `armMeasured`.
struct BoardReport
{
    long long params = 0;            // clean parameter count of the exported graph
    long long macs = 0;              // multiply-accumulates per inference (network only)
    long long weightBytes = 0;       // const arrays: weights, biases, tables, labels, test vector
    long long codeBytesEstimate = 0; // runtime + MFCC + glue code (Cortex-M4 -Os, measured once)
    long long flashBytes = 0;        // weights + code (measured text+data when armMeasured)
    long long scratchBytes = 0;      // the network's static scratch buffer
    long long featureBytes = 0;      // MFCC working memory (static)
    long long stackBytesEstimate = 0;
    long long ramBytes = 0; // scratch + feature buffers + stack (measured data+bss + stack)
    // Cortex-M4F compile of the export folder (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb
    // -mfpu=fpv4-sp-d16 -mfloat-abi=hard -Os), when the compiler is installed.
    bool armMeasured = false;
    long long armText = 0, armData = 0, armBss = 0;
    std::string armNote;      // compiler version, or why it was not measured
    std::string text() const; // multi-line human-readable report
    std::string toJson() const;
};

struct ExportOptions
{
    ExportFormat format = ExportFormat::C;
    int calibrationClips = 500; // int8: at most this many training clips (evenly spread)
    bool measureArm = true;     // compile with arm-none-eabi-gcc when it is installed
    bool evaluate = true;       // accuracy of LibTorch and exported model on the test split
    // Replace files in the output folder that no export wrote (or that were changed since),
    // `dendrite export --force`; without it such files make the export refuse (exportConflicts).
    bool replaceForeignFiles = false;
    std::function<void(const std::string&)> progress; // one line per step; any thread-safe sink
};

struct ExportResult
{
    std::filesystem::path outDir;
    std::vector<std::string> files; // relative to outDir
    BoardReport board;
    int testClips = 0;
    double torchTestAccuracy = -1;        // LibTorch best.pt on the test split (-1: no test clips)
    double exportedTestAccuracy = -1;     // the exported model through the C runtime
    double maxProbabilityDifference = -1; // exported vs LibTorch over the test split
    std::string text() const;
    std::string toJson() const;
};

// Exports runDir/best.pt into outDir. The files are staged in a hidden sibling folder and moved
// into place only when all are written, so a failure (a full disk) leaves outDir as it was.
// outDir may be absent or empty, or hold a previous export (its export.json lists the files it
// wrote with their hashes): those files are replaced, and files of the user's that the export
// does not write are kept. A file of the same name as an exported one that no export wrote, or
// that was changed since, is never replaced unless options.replaceForeignFiles: the Error lists
// them (exportConflicts).
// `data`: the project's features with the run's feature config (test split for accuracy and the
// test vector, training split for int8 calibration); may be null, then a synthetic test vector is
// used, int8 is refused and no accuracy is reported.
Result<ExportResult> exportRun(const std::filesystem::path& runDir,
                               const std::filesystem::path& outDir, const ExportOptions& options,
                               const FeatureDataset* data);

// The files an export of format `f` writes (relative to its folder), export.json included.
std::vector<std::string> exportFileNames(ExportFormat f);

// Files in outDir that an export of format `f` would replace although no export wrote them
// (or they were changed since it did): the user's own files. Empty when outDir is absent, empty,
// or holds only files a previous export wrote. A path that exists but is not a folder is listed
// as ".". Torch-free (the GUI asks before passing --force).
std::vector<std::string> exportConflicts(const std::filesystem::path& outDir, ExportFormat f);
// The Error (exit code 3) for those conflicts: what is in the way and what to do.
Error exportConflictError(const std::filesystem::path& outDir,
                          const std::vector<std::string>& conflicts);

struct VerifyFigures
{
    double maxProbabilityDifference = 0; // max over clips and classes
    double argmaxAgreement = 0;          // fraction of clips whose argmax equals LibTorch's
    double accuracy = 0;                 // of the C runtime on the test split
};
struct VerifyResult
{
    int clips = 0;
    double torchAccuracy = 0;
    VerifyFigures floatC, int8C;
    std::string text() const;
    std::string toJson() const;
};
// Runs LibTorch and the C runtime (float and int8, calibrated on the training split) on the
// whole test split of `data`.
Result<VerifyResult> verifyRun(const std::filesystem::path& runDir, const FeatureDataset& data,
                               int calibrationClips = 500);

struct InferenceTiming
{
    // Per clip, this thread's CPU time, median of `rounds` interleaved rounds (see timeInference)
    double torchMicros = 0; // LibTorch batch-1 forward + softmax (eval, no grad, 1 thread)
    double floatMicros = 0; // C runtime float
    double int8Micros = 0;  // C runtime int8
    long long macs = 0;
    int iterations = 0; // clips per engine in the timed rounds
    int rounds = 0;
    std::string model; // description of the network
};
// Times the network of runDir/best.pt, or when runDir is empty an untrained Edge Impulse 1-D
// baseline (13 x 50 MFCC, `classes` classes). Single thread for both.
Result<InferenceTiming> timeInference(const std::filesystem::path& runDir, int iterations,
                                      int classes = 3);

// Finds the project folder of a run (runs live in <project>/runs/<run>); empty if none.
std::filesystem::path projectOfRun(const std::filesystem::path& runDir);

} // namespace dw
