// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A project is a folder: project.json (manifest, atomic writes), clips/<label>/*.wav (16 kHz mono
// PCM16), runs/<run>/ (training runs), trash/ (deleted clips, undoable).
// Not thread-safe: one owner (the GUI thread, or a CLI command) mutates a Project.

#include "dw/core/features.h"
#include "dw/core/result.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dw {

class ProjectLock;

enum class Split
{
    Train = 0,
    Validation = 1,
    Test = 2
};
const char* splitName(Split s); // "train" | "validation" | "test"
std::optional<Split> splitFromName(const std::string& name);

// Stable split from a clip's identity (Speech Commands style: hash of the speaker/source part),
// so adding clips never moves old ones. Percentages of validation and test, default 10/10.
Split splitForIdentity(const std::string& identity, int validationPercent = 10,
                       int testPercent = 10);

struct Clip
{
    std::string id; // unique within the project, also the file stem
    std::string label;
    std::string path; // relative to the project root, e.g. "clips/yes/yes_ab12.wav"
    Split split = Split::Train;
    std::string source;  // where it came from (imported file, "recorded", "espeak-ng:en-us+m3");
                         // bytes as given: project.json holds it escaped when not UTF-8
    int samples = 16000; // length in samples at 16 kHz
};

struct Audio
{
    int sampleRate = 16000;
    std::vector<int16_t> samples; // mono
};

// Minimal PCM16 mono WAV I/O in core (std only); the converting importer lives in audio/.
Result<Audio> readWavPcm16(const std::filesystem::path& path);
Status writeWavPcm16(const std::filesystem::path& path, const Audio& audio); // atomic

class Project
{
public:
    static Result<Project> create(const std::filesystem::path& root,
                                  const std::vector<std::string>& labels);
    // Reads the manifest and repairs in memory (see openReport()). Without `lock` the caller is a
    // reader: nothing on disk is changed or deleted, stale temporaries are only reported, and
    // when another live process holds the project lock, unlisted WAVs (likely being imported
    // right now) are not adopted (see inUseBy()). With the caller's lock for this project (the
    // writer), stale temporaries whose writer is gone are removed.
    static Result<Project> open(const std::filesystem::path& root,
                                const ProjectLock* lock = nullptr);
    Status save() const; // atomic write of project.json

    const std::filesystem::path& root() const { return m_root; }
    const std::vector<std::string>& labels() const { return m_labels; }
    const std::vector<Clip>& clips() const { return m_clips; }
    std::vector<const Clip*> clips(const std::string& label) const;
    const Clip* findClip(const std::string& id) const;
    std::filesystem::path clipPath(const Clip& c) const { return m_root / c.path; }
    std::filesystem::path runsDir() const { return m_root / "runs"; }

    const FeatureConfig& featureConfig() const { return m_features; }
    void setFeatureConfig(const FeatureConfig& c) { m_features = c; }
    int validationPercent() const { return m_validationPercent; }
    int testPercent() const { return m_testPercent; }

    Status addLabel(const std::string& label);
    // Writes the WAV (atomic) and lists it; identity feeds the split hash (defaults to the id).
    // Saves the manifest too, so every added clip is on disk at once.
    // idHint (optional) becomes the id after sanitising (e.g. the imported file's stem), made
    // unique with a numeric suffix; without it the id is "<label>_<n>".
    Result<Clip> addClip(const std::string& label, std::span<const int16_t> samples,
                         const std::string& source, const std::string& identity = {},
                         const std::string& idHint = {});
    Status relabel(const std::string& clipId, const std::string& label);
    Status setSplit(const std::string& clipId, Split split);
    // Moves the file to trash/ and unlists it; restoreClip undoes it.
    Status trashClip(const std::string& clipId);
    Status restoreClip(const std::string& clipId);

    // Clips in trash/ (restorable), most recently trashed last.
    const std::vector<Clip>& trashedClips() const { return m_trash; }

    // Auto-save (default on): every mutation writes project.json at once. Importers adding
    // thousands of clips turn it off, then call save() once (the WAVs are written either way).
    void setAutoSave(bool on) { m_autoSave = on; }
    bool autoSave() const { return m_autoSave; }

    // What open() found and repaired, one human-readable line each (empty when all was well):
    // listed clips whose file is missing (unlisted), unlisted WAVs in clips/<label>/ (adopted),
    // stale "*.tmp-dw*" temporaries (removed). Repairs live in memory until the next save().
    const std::vector<std::string>& openReport() const { return m_openReport; }

    // The pid of another live process that held the project lock when this Project was opened
    // without it (an import, a recording, the workbench): 0 when none; -1 when the lock file is
    // unreadable or its holder is on another host.
    long inUseBy() const { return m_inUseBy; }
    const std::string& inUseHost() const { return m_inUseHost; }

    // Checks a label name: valid UTF-8, non-empty, at most 64 bytes, no path separators, not "."
    // or "..", no control characters or spaces. The Error says which rule failed (the label shown
    // with its invalid bytes escaped as \xHH).
    static Status validateLabel(const std::string& label);

    // Counts per label and split: counts[label][split].
    std::map<std::string, std::array<int, 3>> counts() const;

    // Free-form provenance (demo-data voices, seed, SNRs), stored as a JSON object text.
    const std::string& provenanceJson() const { return m_provenance; }
    void setProvenanceJson(std::string json) { m_provenance = std::move(json); }

private:
    std::filesystem::path m_root;
    std::vector<std::string> m_labels;
    std::vector<Clip> m_clips;
    std::vector<Clip> m_trash;
    FeatureConfig m_features;
    int m_validationPercent = 10;
    int m_testPercent = 10;
    std::string m_provenance = "{}";
    std::vector<std::string> m_openReport;
    bool m_autoSave = true;
    int m_nextSerial = 0; // for "<label>_<n>" ids
    long m_inUseBy = 0;
    std::string m_inUseHost;

    Status saveIfAuto() const;
    std::string uniqueId(const std::string& base) const;
};

} // namespace dw
