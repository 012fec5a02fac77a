// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder so the library has a translation unit; removed once ui/ has real sources.
#include <qcustomplot.h>
namespace dw::ui { int placeholder() { QCustomPlot p; return p.graphCount(); } }
