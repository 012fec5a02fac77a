// SPDX-License-Identifier: GPL-3.0-or-later
// One libFuzzer target; DW_FUZZ_ENTRY names the entry point of fuzz_entries.h.
#include "fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    return dw::fuzz::DW_FUZZ_ENTRY(data, size);
}
