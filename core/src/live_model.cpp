// SPDX-License-Identifier: GPL-3.0-or-later
// LiveModel of dw/core/live.h: best.pt -> the exporter's runtime graph (graphFromNetwork, and
// calibrate + quantize for int8, exactly the path export/verify take) run by the C runtime, with
// the run's MFCC settings computed by runtime/dw_mfcc. LibTorch is used only while loading.
#include "export_torch.h"
#include "trainer.h"

#include "dw/core/dataset.h"
#include "dw/core/export.h"
#include "dw/core/live.h"
#include "dw/core/project.h"
#include "dw_mfcc.h"

#include <optional>

namespace dw {

namespace fs = std::filesystem;

struct LiveModel::Impl
{
    exporter::Graph floatGraph;
    std::optional<exporter::Graph> int8Graph;
    std::unique_ptr<exporter::RuntimeModel> runtime;
    dw_mfcc mfcc{};
    std::vector<double> mfccScratch; // doubles: 8-byte aligned as dw_mfcc requires
    std::vector<float> features;
    int rate = 16000;
    int window = 16000;
    std::string description;
};

namespace {

// Training-split features of the run's project for int8 calibration.
Result<std::vector<std::vector<float>>> calibrationInputs(const fs::path& runDir,
                                                          const LiveModelOptions& o,
                                                          const FeatureConfig& fc,
                                                          const exporter::Graph& g)
{
    fs::path projectDir = o.project.empty() ? projectOfRun(runDir) : o.project;
    if (projectDir.empty())
        return makeError("run '" + runDir.filename().string() +
                             "' is not inside a project, so there is no training split to "
                             "calibrate the int8 model on",
                         "give the project it was trained in (--project DIR), or use the float "
                         "model",
                         2);
    auto project = Project::open(projectDir);
    if (!project)
        return project.error();
    auto data = loadFeatureDataset(*project, fc, 1);
    if (!data)
        return data.error();
    if (data->labels != g.labels || data->frames != g.frames || data->coeffs != g.coeffs)
        return makeError("project '" + projectDir.string() +
                             "' does not match the run (other labels or feature shape)",
                         "give the project the run was trained in", 2);
    std::vector<size_t> train;
    for (size_t i = 0; i < data->size(); ++i)
        if (data->split[i] == Split::Train)
            train.push_back(i);
    if (train.empty())
        return makeError("the project's training split is empty: nothing to calibrate int8 on",
                         "add training clips, or use the float model", 2);
    const size_t cap = size_t(std::max(1, o.calibrationClips));
    std::vector<std::vector<float>> out;
    const size_t F = data->featureSize();
    for (size_t k = 0; k < std::min(cap, train.size()); ++k) {
        const size_t i = train[k * train.size() / std::min(cap, train.size())];
        out.emplace_back(data->x.begin() + long(i * F), data->x.begin() + long((i + 1) * F));
    }
    return out;
}

} // namespace

LiveModel::LiveModel(std::unique_ptr<Impl> impl) : m(std::move(impl)) {}
LiveModel::~LiveModel() = default;

Result<std::unique_ptr<LiveModel>> LiveModel::load(const fs::path& runDir,
                                                   const LiveModelOptions& options)
{
    if (auto s = exporter::requireCheckpoint(runDir, "nothing to classify with"); !s)
        return s.error();
    try {
        torch::NoGradGuard ng;
        auto ck = engine::loadCheckpoint(runDir / "best.pt");
        if (!ck) {
            Error e = ck.error();
            e.code = 3;
            return e;
        }
        auto impl = std::make_unique<Impl>();
        auto fg = exporter::graphFromNetwork(*ck->net, ck->labels);
        if (!fg)
            return fg.error();
        impl->floatGraph = std::move(*fg);
        const FeatureConfig& fc = ck->config.features;
        dw_mfcc_config mc{};
        if (auto s = fc.toRuntime(mc); !s)
            return s.error();
        impl->rate = fc.sample_rate;
        impl->window = fc.sample_rate; // the models see 1 s clips
        const auto& g = impl->floatGraph;
        if (dw_mfcc_frames(&mc, impl->window) != g.frames || dw_mfcc_coeffs(&mc) != g.coeffs)
            return makeError("the run's MFCC settings give " +
                                 std::to_string(dw_mfcc_frames(&mc, impl->window)) + "x" +
                                 std::to_string(dw_mfcc_coeffs(&mc)) +
                                 " features per second "
                                 "but its network takes " +
                                 std::to_string(g.frames) + "x" + std::to_string(g.coeffs),
                             "the run folder may be damaged; retrain it", 3);
        const size_t bytes = dw_mfcc_scratch_size(&mc, impl->window);
        impl->mfccScratch.assign((bytes + 7) / 8, 0.0);
        if (int st = dw_mfcc_init(&impl->mfcc, &mc, impl->window, impl->mfccScratch.data(),
                                  impl->mfccScratch.size() * 8);
            st != DW_MFCC_OK)
            return makeError(std::string("the runtime refuses the run's MFCC settings: ") +
                                 dw_mfcc_error_string(st),
                             "retrain with Edge Impulse compatible feature settings", 3);
        impl->features.assign(size_t(g.frames) * size_t(g.coeffs), 0.0f);
        if (options.int8) {
            auto cal = calibrationInputs(runDir, options, fc, impl->floatGraph);
            if (!cal)
                return cal.error();
            std::vector<std::span<const float>> spans(cal->begin(), cal->end());
            if (auto s = exporter::calibrate(impl->floatGraph, spans); !s)
                return s.error();
            auto q = exporter::quantize(impl->floatGraph);
            if (!q)
                return q.error();
            impl->int8Graph = std::move(*q);
            impl->runtime = std::make_unique<exporter::RuntimeModel>(*impl->int8Graph);
        } else {
            impl->runtime = std::make_unique<exporter::RuntimeModel>(impl->floatGraph);
        }
        impl->description = std::string(options.int8 ? "int8" : "float32") + ", " +
                            impl->floatGraph.description + " (" + std::to_string(g.coeffs) + " x " +
                            std::to_string(g.frames) + " " + fc.kind + ")";
        return std::unique_ptr<LiveModel>(new LiveModel(std::move(impl)));
    } catch (const std::exception& e) {
        return makeError(std::string("loading the run for live classification failed: ") +
                             engine::errorText(e),
                         "the run folder may be damaged; retrain or pick another run", 3);
    }
}

const std::vector<std::string>& LiveModel::labels() const
{
    return m->floatGraph.labels;
}

int LiveModel::sampleRate() const
{
    return m->rate;
}

int LiveModel::windowSamples() const
{
    return m->window;
}

bool LiveModel::isInt8() const
{
    return m->int8Graph.has_value();
}

std::string LiveModel::description() const
{
    return m->description;
}

Status LiveModel::classify(std::span<const int16_t> window, std::span<float> probabilities)
{
    if (window.size() != size_t(m->window))
        return makeError("a window of " + std::to_string(window.size()) +
                             " samples; the model "
                             "takes " +
                             std::to_string(m->window),
                         "report this as a bug", 1);
    if (probabilities.size() != m->floatGraph.labels.size())
        return makeError("wrong number of class probabilities requested", "report this as a bug",
                         1);
    if (int st = dw_mfcc_compute(&m->mfcc, window.data(), int(window.size()), m->features.data());
        st != DW_MFCC_OK)
        return makeError(std::string("MFCC failed: ") + dw_mfcc_error_string(st),
                         "report this as a bug", 1);
    return m->runtime->run(m->features, probabilities);
}

} // namespace dw
