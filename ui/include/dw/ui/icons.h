// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Icons drawn with QPainter (Debian's Qt here has no SVG image plugin, so the app does not depend
// on one). The app icon matches resources/icons/*.svg. GUI thread only.

#include <QColor>
#include <QIcon>
#include <QPixmap>
#include <QString>

namespace dw::ui {

// The application icon at `size` pixels (square, transparent corners).
QPixmap appIconPixmap(int size);
QIcon appIcon();
// Line icon of a workbench page ("dataset", "record", "features", "train", "runs", "sweeps",
// "export"; anything else: a generic page) in `color`.
QIcon pageIcon(const QString& id, const QColor& color = QColor("#c9d2dc"));

} // namespace dw::ui
