// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Precompiled header of dw_core's LibTorch translation units only (core/CMakeLists.txt).
#include <torch/torch.h>
