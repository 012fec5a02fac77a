// SPDX-License-Identifier: GPL-3.0-or-later
#include <torch/torch.h>

#include "fused_adam.h"

#include <c10/util/string_utils.h>

#include <cmath>
#include <memory>

namespace dw::engine {

namespace {

bool fusable(const torch::Tensor& t)
{
    return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 &&
           !t.is_sparse() && t.is_contiguous();
}

} // namespace

torch::Tensor FusedAdam::step(LossClosure closure)
{
    for (const auto& group : param_groups_) {
        const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
        if (o.weight_decay() != 0 || o.amsgrad())
            return torch::optim::Adam::step(std::move(closure));
    }
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure) {
        at::AutoGradMode enable(true);
        loss = closure();
    }
    for (auto& group : param_groups_) {
        const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
        const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
        for (auto& p : group.params()) {
            const torch::Tensor& grad = p.grad();
            if (!grad.defined())
                continue;
            TORCH_CHECK(!grad.is_sparse(), "Adam does not support sparse gradients");
            const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
            auto it = state_.find(key);
            if (it == state_.end()) {
                auto s = std::make_unique<torch::optim::AdamParamState>();
                s->step(0);
                s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                it = state_.emplace(key, std::move(s)).first;
            }
            auto& s = static_cast<torch::optim::AdamParamState&>(*it->second);
            s.step(s.step() + 1);
            const double bc1 = 1 - std::pow(beta1, double(s.step()));
            const double bc2 = 1 - std::pow(beta2, double(s.step()));
            const double stepSize = o.lr() / bc1;
            torch::Tensor& m = s.exp_avg();
            torch::Tensor& v = s.exp_avg_sq();
            if (!(fusable(p) && fusable(grad) && fusable(m) && fusable(v) &&
                  grad.numel() == p.numel())) {
                // The stock sequence of tensor operations (LibTorch 1.13 Adam::step).
                m.mul_(beta1).add_(grad, 1 - beta1);
                v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
                torch::Tensor denom = (v.sqrt() / std::sqrt(bc2)).add_(o.eps());
                p.addcdiv_(m, denom, -stepSize);
                continue;
            }
            // The same arithmetic per element, with the scalars rounded to float as LibTorch's
            // float kernels round them: m = m*b1 + (1-b1)*g; v = v*b2 + (1-b2)*g*g;
            // p = p + (-stepSize)*m / (sqrt(v)/sqrt(bc2) + eps).
            const float b1 = float(beta1), a1 = float(1 - beta1);
            const float b2 = float(beta2), a2 = float(1 - beta2);
            const float rootBc2 = float(std::sqrt(bc2)), eps = float(o.eps());
            const float negStep = float(-stepSize);
            float* pd = p.data_ptr<float>();
            const float* gd = grad.data_ptr<float>();
            float* md = m.data_ptr<float>();
            float* vd = v.data_ptr<float>();
            const int64_t n = p.numel();
            for (int64_t i = 0; i < n; ++i) {
                const float g = gd[i];
                const float mi = md[i] * b1 + a1 * g;
                const float vi = vd[i] * b2 + a2 * g * g;
                md[i] = mi;
                vd[i] = vi;
                pd[i] = pd[i] + negStep * mi / (std::sqrt(vi) / rootBc2 + eps);
            }
            p.unsafeGetTensorImpl()->bump_version(); // as an in-place tensor operation would
        }
    }
    return loss;
}

} // namespace dw::engine
