// SPDX-License-Identifier: GPL-3.0-or-later
#include <torch/torch.h>
namespace dw { int torchProbe() { return static_cast<int>(torch::ones({2}).sum().item<float>()); } }
