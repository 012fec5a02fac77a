// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder so the library has a translation unit; removed once audio/ has real sources.
namespace dw::audio { int placeholder() { return 0; } }
