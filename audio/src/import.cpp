// SPDX-License-Identifier: GPL-3.0-or-later
// Importing files and folders into a project: layout detection, conversion, splitting, report.
#include "dw/audio/import.h"
#include "dw/core/hash.h"
#include "dw/core/names.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace dw::audio {
namespace fs = std::filesystem;

namespace {

struct Job
{
    fs::path path;
    std::string label;
    bool noise = false;         // cut into consecutive windows, never split on utterances
    std::optional<Split> split; // from Speech Commands' lists
    std::string identity;       // split identity; empty: derived from the file
};

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool isAudioFile(const fs::path& p)
{
    const std::string ext = lower(p.extension().string());
    const auto& exts = audioFileExtensions();
    return std::find(exts.begin(), exts.end(), ext) != exts.end();
}

// Audio files directly in dir (sorted, so imports are reproducible).
std::vector<fs::path> audioFilesIn(const fs::path& dir, bool recursive)
{
    std::vector<fs::path> out;
    std::error_code ec;
    if (recursive) {
        for (auto it = fs::recursive_directory_iterator(
                 dir, fs::directory_options::skip_permission_denied, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec)
                break;
            if (it->is_regular_file(ec) && isAudioFile(it->path()))
                out.push_back(it->path());
        }
    } else {
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.is_regular_file(ec) && isAudioFile(e.path()))
                out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<fs::path> subdirsOf(const fs::path& dir)
{
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_directory(ec))
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::set<std::string> readList(const fs::path& file)
{
    std::set<std::string> out;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty())
            out.insert(line);
    }
    return out;
}

// Speech Commands names files "<speaker>_nohash_<n>.wav": the speaker is the split identity,
// so one speaker's clips never straddle train and test.
std::string speakerOf(const fs::path& file)
{
    const std::string stem = file.stem().string();
    const auto pos = stem.find("_nohash_");
    return pos == std::string::npos ? stem : stem.substr(0, pos);
}

class Importer
{
public:
    Importer(Project& p, const ImportOptions& o) : m_project(p), m_opt(o) {}

    std::string mapLabel(const std::string& folderLabel) const
    {
        if (!m_opt.label.empty())
            return m_opt.label;
        if (!m_opt.keywords.empty() && folderLabel != m_opt.noiseLabel &&
            std::find(m_opt.keywords.begin(), m_opt.keywords.end(), folderLabel) ==
                m_opt.keywords.end())
            return m_opt.unknownLabel;
        return folderLabel;
    }

    bool isNoiseLabel(const std::string& label) const
    {
        return label == m_opt.noiseLabel || label == "_background_noise_" || label == "_silence_" ||
               label == "silence";
    }

    void addJob(const fs::path& file, const std::string& folderLabel, std::optional<Split> split,
                std::string identity, bool noise = false)
    {
        const std::string label = mapLabel(folderLabel);
        if (auto s = Project::validateLabel(label); !s) {
            m_report.lines.push_back(std::string("skipped '") + displayPath(file) + "': " +
                                     s.error().message + " (rename the folder or pass --label)");
            ++m_report.filesSkipped;
            ++m_report.filesSeen;
            return;
        }
        m_jobs.push_back({file, label, noise || isNoiseLabel(label), split, std::move(identity)});
    }

    void collectSpeechCommands(const fs::path& dir)
    {
        m_report.layout = "speech-commands";
        const auto validation = readList(dir / "validation_list.txt");
        const auto testing = readList(dir / "testing_list.txt");
        const bool haveLists = !validation.empty() || !testing.empty();
        for (const auto& sub : subdirsOf(dir)) {
            const std::string name = sub.filename().string();
            const auto files = audioFilesIn(sub, false);
            if (files.empty()) {
                m_report.lines.push_back(std::string("folder '") + displayPath(sub) +
                                         "' holds no audio files: nothing imported from it");
                continue;
            }
            if (name == "_background_noise_") {
                for (const auto& f : files)
                    addJob(f, m_opt.noiseLabel, std::nullopt, {}, true);
                continue;
            }
            for (const auto& f : files) {
                std::optional<Split> split;
                if (haveLists) {
                    const std::string rel = name + "/" + f.filename().string();
                    split = validation.count(rel) ? Split::Validation
                            : testing.count(rel)  ? Split::Test
                                                  : Split::Train;
                }
                addJob(f, name, split, speakerOf(f));
            }
        }
    }

    void collectFolder(const fs::path& dir)
    {
        std::error_code ec;
        if (fs::exists(dir / "validation_list.txt", ec) ||
            fs::exists(dir / "testing_list.txt", ec) ||
            fs::is_directory(dir / "_background_noise_", ec)) {
            collectSpeechCommands(dir);
            return;
        }
        const auto subs = subdirsOf(dir);
        const auto direct = audioFilesIn(dir, false);
        if (subs.empty() || !direct.empty()) {
            if (m_report.layout.empty())
                m_report.layout = "single-label folder";
            if (direct.empty() && subs.empty())
                m_report.lines.push_back(std::string("folder '") + displayPath(dir) +
                                         "' holds no audio files: nothing imported from it");
            for (const auto& f : direct)
                addJob(f, dir.filename().string(), std::nullopt, {});
        }
        if (!subs.empty() && m_report.layout.empty())
            m_report.layout = "folder-per-label";
        for (const auto& sub : subs) {
            const auto files = audioFilesIn(sub, true);
            if (files.empty()) {
                m_report.lines.push_back(std::string("folder '") + displayPath(sub) +
                                         "' holds no audio files: nothing imported from it");
                continue;
            }
            for (const auto& f : files)
                addJob(f, sub.filename().string(), std::nullopt, {});
        }
    }

    void collect(const std::vector<fs::path>& paths)
    {
        for (const auto& raw : paths) {
            fs::path p = raw;
            std::error_code ec;
            if (!fs::exists(p, ec)) {
                m_report.lines.push_back(std::string("'") + displayPath(p) +
                                         "' does not exist: skipped");
                ++m_report.filesSkipped;
                continue;
            }
            if (fs::is_directory(p, ec)) {
                // "dir/" has an empty filename; use the folder's own name as the label.
                if (p.filename().empty())
                    p = p.parent_path();
                collectFolder(p);
            } else {
                if (m_report.layout.empty())
                    m_report.layout = "files";
                std::string label = fs::absolute(p, ec).parent_path().filename().string();
                addJob(p, label, std::nullopt, {});
            }
        }
    }

    Status addClip(const Job& job, std::span<const int16_t> window, const std::string& identity,
                   const std::string& idHint)
    {
        auto c =
            m_project.addClip(job.label, window, fs::absolute(job.path).string(), identity, idHint);
        if (!c)
            return c.error();
        if (job.split && c->split != *job.split)
            if (auto s = m_project.setSplit(c->id, *job.split); !s)
                return s;
        ++m_report.clipsAdded;
        ++m_report.clipsPerLabel[job.label];
        return {};
    }

    // Returns an Error only for project write failures (which stop the import).
    Status process(const Job& job)
    {
        ++m_report.filesSeen;
        auto decoded = decodeAudioFile(job.path, m_opt.splitter.sampleRate);
        if (!decoded) {
            ++m_report.filesSkipped;
            m_report.lines.push_back("skipped: " + decoded.error().text());
            return {};
        }
        if (decoded->converted()) {
            ++m_report.filesConverted;
            ++m_report.conversions[decoded->conversionNote()];
        }
        const auto& s = decoded->samples;
        const int64_t w = m_opt.splitter.windowSamples;
        const int64_t n = int64_t(s.size());
        const std::string stem = job.path.stem().string();
        std::string hint = stem.rfind(job.label, 0) == 0 ? stem : job.label + "_" + stem;
        const std::string identity = job.identity.empty() ? stem : job.identity;
        auto pad = [w](std::span<const int16_t> x) {
            std::vector<int16_t> out(x.begin(), x.end());
            out.resize(size_t(w), 0);
            return out;
        };

        int added = 0;
        if (n <= w) {
            if (auto st = addClip(job, pad(s), identity, hint); !st)
                return st;
            added = 1;
        } else if (job.noise) {
            // Background noise: consecutive windows; a short tail is dropped, a long one padded.
            for (int64_t b = 0, k = 0; b < n; b += w, ++k) {
                const int64_t len = std::min(w, n - b);
                if (len < w / 2 && k > 0)
                    break;
                auto win = pad(std::span<const int16_t>(s).subspan(size_t(b), size_t(len)));
                // Ten-second blocks share a split: neighbouring windows of one recording are
                // too alike to sit on both sides of the train/test line.
                const std::string id = identity + "#" + std::to_string(k / 10);
                if (auto st = addClip(job, win, id, hint + "_" + std::to_string(k)); !st)
                    return st;
                ++added;
            }
        } else if (n <= w + w / 20) {
            // A hair over one window (resampling rounding): centre crop.
            const int64_t off = (n - w) / 2;
            if (auto st = addClip(job, std::span<const int16_t>(s).subspan(size_t(off), size_t(w)),
                                  identity, hint);
                !st)
                return st;
            added = 1;
        } else {
            SplitterConfig cfg = m_opt.splitter;
            cfg.seed ^= fnv1a64(job.path.string());
            auto utts = findUtterances(s, cfg);
            if (n < 2 * w && utts.size() > 1) {
                // A short clip holds one word: keep its loudest part.
                auto best = std::max_element(
                    utts.begin(), utts.end(),
                    [](const Utterance& a, const Utterance& b) { return a.peakDb < b.peakDb; });
                utts = {*best};
            }
            if (utts.empty()) {
                ++m_report.filesSkipped;
                m_report.lines.push_back(
                    std::string("skipped '") + displayPath(job.path) +
                    "': " + std::to_string(double(n) / cfg.sampleRate).substr(0, 5) +
                    " s long but no utterance found (lower the splitter threshold, now " +
                    std::to_string(int(cfg.thresholdDb)) + " dB above the noise floor)");
                return {};
            }
            for (size_t k = 0; k < utts.size(); ++k) {
                auto win = extractWindow(s, utts[k], cfg);
                // One-minute blocks of a long recording share a split (see above).
                const int64_t minute = utts[k].start / (int64_t(cfg.sampleRate) * 60);
                const std::string id =
                    utts.size() == 1 ? identity : identity + "#" + std::to_string(minute);
                const std::string h = utts.size() == 1 ? hint : hint + "_" + std::to_string(k);
                if (auto st = addClip(job, win, id, h); !st)
                    return st;
                ++added;
            }
            if (utts.size() > 1) {
                ++m_report.filesSplit;
                m_report.lines.push_back(std::string("split '") + displayPath(job.path) + "' (" +
                                         std::to_string(double(n) / cfg.sampleRate) + " s) into " +
                                         std::to_string(utts.size()) + " clips");
            }
        }
        if (added > 0) {
            ++m_report.filesImported;
            if (!isValidUtf8(job.path.native()))
                m_report.lines.push_back(
                    std::string("'") + displayPath(job.path) +
                    "': its name is not valid UTF-8; imported under a plain clip id, the "
                    "original name kept as its source with the bytes escaped as \\xHH");
        }
        return {};
    }

    Result<ImportReport> run(const std::vector<fs::path>& paths,
                             const std::function<void(int, int)>& progress)
    {
        collect(paths);
        // The manifest as it was: a write that fails (a full disk) undoes the whole import.
        const Project before = m_project;
        const bool autoSave = m_project.autoSave();
        m_project.setAutoSave(false);
        Status failed;
        for (size_t i = 0; i < m_jobs.size(); ++i) {
            if (m_opt.shouldStop && m_opt.shouldStop()) {
                m_report.interrupted = true;
                m_report.filesLeft = int(m_jobs.size() - i);
                break;
            }
            if (auto st = process(m_jobs[i]); !st) {
                failed = st;
                break;
            }
            if (progress)
                progress(int(i + 1), int(m_jobs.size()));
        }
        m_project.setAutoSave(autoSave);
        // A clip or the manifest that cannot be written (a full disk, a folder turned read-only)
        // makes the import a transaction that did not happen: the clips it wrote are removed and
        // project.json stays as it was, so no later command adopts half an import. An
        // interruption is not a failure: the clips done are saved and listed.
        if (failed)
            if (auto st = m_project.save(); !st)
                failed = st;
        if (!failed)
            return undo(before, failed.error());
        if (m_report.layout.empty())
            m_report.layout = "files";
        return m_report;
    }

private:
    // Removes the files of the clips added since `before`, and the label folders this import
    // created, then restores the manifest in memory; project.json on disk was never replaced.
    Error undo(const Project& before, const Error& why)
    {
        std::set<std::string> kept;
        for (const auto& c : before.clips())
            kept.insert(c.id);
        int removed = 0;
        std::vector<std::string> leftBehind;
        std::error_code ec;
        for (const auto& c : m_project.clips()) {
            if (kept.count(c.id))
                continue;
            if (fs::remove(m_project.clipPath(c), ec) && !ec)
                ++removed;
            else if (fs::exists(m_project.clipPath(c)))
                leftBehind.push_back(c.path);
        }
        for (const auto& label : m_project.labels()) {
            if (std::find(before.labels().begin(), before.labels().end(), label) !=
                before.labels().end())
                continue;
            const fs::path dir = m_project.root() / "clips" / label;
            if (fs::is_directory(dir, ec) && fs::is_empty(dir, ec))
                fs::remove(dir, ec);
        }
        m_project = before;
        std::string message = why.message + "; the import was undone: " + std::to_string(removed) +
                              " clip file(s) it had written were removed and project.json is "
                              "as it was before";
        if (!leftBehind.empty())
            message += " (" + std::to_string(leftBehind.size()) +
                       " could not be removed and will be adopted by the next command, e.g. '" +
                       escapeInvalidUtf8(leftBehind.front()) + "')";
        Error e = why;
        e.message = std::move(message);
        if (e.hint.empty())
            e.hint = "fix the cause and import again";
        return e;
    }

    Project& m_project;
    const ImportOptions& m_opt;
    std::vector<Job> m_jobs;
    ImportReport m_report;
};

} // namespace

std::string ImportReport::text() const
{
    std::ostringstream s;
    s << "imported " << clipsAdded << " clip(s) from " << filesImported << " of " << filesSeen
      << " file(s) (layout: " << layout << ")\n";
    if (interrupted)
        s << "interrupted: " << filesLeft << " file(s) were not imported\n";
    if (filesConverted > 0) {
        s << "converted " << filesConverted << " file(s):\n";
        for (const auto& [note, n] : conversions)
            s << "  " << n << " x " << note << "\n";
    }
    if (filesSplit > 0)
        s << "split " << filesSplit << " long file(s) into 1 s clips around utterances\n";
    if (filesSkipped > 0)
        s << "skipped " << filesSkipped << " file(s) (see below)\n";
    if (!clipsPerLabel.empty()) {
        s << "clips per label:";
        for (const auto& [l, n] : clipsPerLabel)
            s << " " << l << " " << n << ";";
        s << "\n";
    }
    for (const auto& l : lines)
        s << "- " << l << "\n";
    return s.str();
}

Result<ImportReport> importPaths(Project& project, const std::vector<fs::path>& paths,
                                 const ImportOptions& options,
                                 const std::function<void(int, int)>& progress)
{
    if (paths.empty())
        return makeError("nothing to import", "name at least one file or folder");
    Importer imp(project, options);
    return imp.run(paths, progress);
}

} // namespace dw::audio
