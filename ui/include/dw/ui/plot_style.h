// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared look of every training plot: one colour per model type and per phase (the same in the
// live plots, the compare view and the headless `dendrite plot`), PNG/PDF export, and the
// offscreen application that headless rendering needs. GUI thread only.

#include "dw/core/result.h"

#include <QColor>
#include <QString>

#include <filesystem>
#include <string>

class QCustomPlot;
class QWidget;

namespace dw::ui {

// traditional: grey-blue, gd: orange, cc: green; anything else: dark grey.
QColor modelTypeColor(const std::string& mode);
// Pale fill behind the curves for a phase ('N' or 'P').
QColor phaseFillColor(char phase);
// Strong colour of the phase timeline blocks.
QColor phaseStripColor(char phase);

// Saves a plot by the file's extension (.png or .pdf, case-insensitive). width/height in pixels
// (0: the widget's current size). An Error for an unknown extension or an unwritable path.
Status savePlot(QCustomPlot* plot, const std::filesystem::path& out, int width = 0,
                int height = 0);
// Saves any widget as PNG (grab) or PDF (rendered into a QPdfWriter page).
Status saveWidget(QWidget* widget, const std::filesystem::path& out);

// Adds "Save as PNG..." / "Save as PDF..." to the plot's context menu. baseName is the suggested
// file name without extension.
void attachExportMenu(QCustomPlot* plot, const QString& baseName);

// Makes sure a QApplication exists for headless rendering (CLI): when none exists one is created
// (platform "offscreen" when there is no DISPLAY/WAYLAND_DISPLAY and QT_QPA_PLATFORM is unset)
// and kept for the rest of the process. An Error when a non-GUI QCoreApplication already exists.
Status ensureGuiApplication();

} // namespace dw::ui
