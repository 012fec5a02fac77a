// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/core/dataset.h"

#include "dw/core/atomic_file.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace dw {
namespace fs = std::filesystem;

size_t FeatureDataset::count(Split s) const
{
    return size_t(std::count(split.begin(), split.end(), s));
}

namespace {
constexpr char kMagic[8] = {'D', 'W', 'F', 'E', 'A', 'T', '1', '\n'};

// A clip's cache key: its path plus the file's size and modification time, so a clip that was
// re-recorded or replaced under the same name is recomputed.
std::string cacheKey(const fs::path& root, const Clip& c)
{
    std::error_code ec;
    const fs::path p = root / c.path;
    const auto size = fs::file_size(p, ec);
    const auto mtime = fs::last_write_time(p, ec).time_since_epoch().count();
    return c.path + "|" + std::to_string(ec ? 0 : size) + "|" + std::to_string(mtime);
}

void putU32(std::string& s, uint32_t v)
{
    char b[4];
    std::memcpy(b, &v, 4);
    s.append(b, 4);
}

struct Reader {
    const std::string& s;
    size_t p = 0;
    bool ok = true;
    uint32_t u32()
    {
        if (p + 4 > s.size()) {
            ok = false;
            return 0;
        }
        uint32_t v;
        std::memcpy(&v, s.data() + p, 4);
        p += 4;
        return v;
    }
    std::string str(uint32_t n)
    {
        if (p + n > s.size()) {
            ok = false;
            return {};
        }
        std::string v = s.substr(p, n);
        p += n;
        return v;
    }
};

// Reads the cache: key -> features. A damaged or foreign cache is ignored (it is only a cache).
std::unordered_map<std::string, std::vector<float>> readCache(const fs::path& file,
                                                              const std::string& configJson,
                                                              size_t featureSize)
{
    std::unordered_map<std::string, std::vector<float>> out;
    auto bytes = readFile(file);
    if (!bytes || bytes->size() < sizeof kMagic ||
        std::memcmp(bytes->data(), kMagic, sizeof kMagic) != 0)
        return out;
    Reader r{*bytes, sizeof kMagic};
    const uint32_t fs = r.u32();
    const std::string cfg = r.str(r.u32());
    const uint32_t n = r.u32();
    if (!r.ok || fs != featureSize || cfg != configJson)
        return out;
    for (uint32_t i = 0; i < n && r.ok; ++i) {
        std::string key = r.str(r.u32());
        const std::string raw = r.str(uint32_t(featureSize * sizeof(float)));
        if (!r.ok)
            break;
        std::vector<float> v(featureSize);
        std::memcpy(v.data(), raw.data(), raw.size());
        out.emplace(std::move(key), std::move(v));
    }
    return out;
}
} // namespace

Result<FeatureDataset> loadFeatureDataset(const Project& project, const FeatureConfig& config,
                                          int threads,
                                          const std::function<void(int, int)>& progress)
{
    const int window = config.sample_rate; // 1 s windows
    if (auto s = config.validate(window); !s)
        return s.error();

    // Classes: the project's labels that have clips, in the project's order.
    auto counts = project.counts();
    FeatureDataset ds;
    for (const auto& l : project.labels()) {
        const auto& c = counts[l];
        if (c[0] + c[1] + c[2] > 0)
            ds.labels.push_back(l);
    }
    if (ds.labels.size() < 2) {
        std::string which = ds.labels.empty() ? "no label" : "only label '" + ds.labels[0] + "'";
        return makeError("the project has clips in " + which +
                             ": a classifier needs at least two classes",
                         "add clips of another class (e.g. `noise` or `unknown`) with "
                         "`dendrite import --project " +
                             project.root().string() + " FOLDER`",
                         3);
    }
    std::unordered_map<std::string, int> labelIndex;
    for (size_t i = 0; i < ds.labels.size(); ++i)
        labelIndex[ds.labels[i]] = int(i);

    const auto& clips = project.clips();
    int nTrain = 0, nVal = 0;
    for (const auto& c : clips) {
        nTrain += c.split == Split::Train;
        nVal += c.split == Split::Validation;
    }
    if (nTrain == 0)
        return makeError("the project has no training clips",
                         "add more clips: about 80 % of new clips go to the training split", 3);
    if (nVal == 0)
        return makeError("the project has no validation clips (" + std::to_string(clips.size()) +
                             " clips in all)",
                         "add more clips (about 10 % go to validation), or move some clips to "
                         "the validation split",
                         3);

    auto ex0 = MfccExtractor::create(config, window);
    if (!ex0)
        return ex0.error();
    ds.frames = ex0->frames();
    ds.coeffs = ex0->coeffs();
    const size_t fsz = ds.featureSize();
    const size_t n = clips.size();
    ds.x.assign(n * fsz, 0.0f);
    ds.y.resize(n);
    ds.split.resize(n);
    ds.clipIds.resize(n);

    const fs::path cacheFile = project.root() / "cache" / ("features-" + config.hash() + ".bin");
    const std::string cfgJson = config.toJson();
    auto cache = readCache(cacheFile, cfgJson, fsz);

    std::vector<std::string> keys(n);
    std::vector<size_t> todo;
    for (size_t i = 0; i < n; ++i) {
        const Clip& c = clips[i];
        ds.y[i] = labelIndex.at(c.label);
        ds.split[i] = c.split;
        ds.clipIds[i] = c.id;
        keys[i] = cacheKey(project.root(), c);
        auto it = cache.find(keys[i]);
        if (it != cache.end())
            std::copy(it->second.begin(), it->second.end(), ds.x.begin() + long(i * fsz));
        else
            todo.push_back(i);
    }

    const int total = int(n);
    const int cached = int(n - todo.size());
    if (!todo.empty()) {
        int nThreads = threads > 0 ? threads : int(std::thread::hardware_concurrency());
        nThreads = std::clamp(nThreads, 1, std::max(1, int(todo.size())));
        std::atomic<size_t> next{0};
        std::atomic<int> done{0};
        std::mutex errMutex;
        std::optional<Error> firstError;
        auto work = [&] {
            auto ex = MfccExtractor::create(config, window);
            if (!ex) {
                std::lock_guard lk(errMutex);
                if (!firstError)
                    firstError = ex.error();
                return;
            }
            std::vector<float> samples(static_cast<size_t>(window));
            for (size_t k = next++; k < todo.size(); k = next++) {
                const size_t i = todo[k];
                const Clip& c = clips[i];
                auto audio = readWavPcm16(project.clipPath(c));
                if (!audio) {
                    std::lock_guard lk(errMutex);
                    if (!firstError)
                        firstError = makeError("clip '" + c.id + "' cannot be read: " +
                                                   audio.error().message,
                                               "delete it from the project (it goes to trash/) "
                                               "or re-import it",
                                               3);
                    ++done;
                    continue;
                }
                // Clips are 1 s; a clip of another length is cropped or zero-padded to 1 s.
                std::fill(samples.begin(), samples.end(), 0.0f);
                const size_t m = std::min(samples.size(), audio->samples.size());
                for (size_t j = 0; j < m; ++j)
                    samples[j] = float(audio->samples[j]);
                ex->compute(samples, std::span<float>(ds.x.data() + i * fsz, fsz));
                ++done;
            }
        };
        std::vector<std::thread> pool;
        for (int t = 0; t < nThreads; ++t)
            pool.emplace_back(work);
        if (progress) {
            while (done.load() < int(todo.size())) {
                progress(cached + done.load(), total);
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                if (firstError && next.load() >= todo.size())
                    break;
            }
        }
        for (auto& t : pool)
            t.join();
        if (firstError)
            return *firstError;

        // Rewrite the cache with every clip of the project (drops entries of deleted clips).
        std::string out(kMagic, sizeof kMagic);
        putU32(out, uint32_t(fsz));
        putU32(out, uint32_t(cfgJson.size()));
        out += cfgJson;
        putU32(out, uint32_t(n));
        for (size_t i = 0; i < n; ++i) {
            putU32(out, uint32_t(keys[i].size()));
            out += keys[i];
            out.append(reinterpret_cast<const char*>(ds.x.data() + i * fsz), fsz * sizeof(float));
        }
        // A cache that cannot be written only costs time next run: not an error.
        (void)writeFileAtomic(cacheFile, out);
    }
    if (progress)
        progress(total, total);
    return ds;
}

} // namespace dw
