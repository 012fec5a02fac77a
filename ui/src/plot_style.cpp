// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/plot_style.h"

#include <QApplication>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <qcustomplot.h>

#include <algorithm>
#include <cctype>

namespace dw::ui {

QColor modelTypeColor(const std::string& mode)
{
    if (mode == "traditional")
        return QColor(0x4c, 0x6a, 0x8f); // grey-blue
    if (mode == "gd")
        return QColor(0xe6, 0x7e, 0x22); // orange
    if (mode == "cc")
        return QColor(0x2e, 0x9e, 0x44); // green
    return QColor(0x55, 0x55, 0x55);
}

QColor phaseFillColor(char phase)
{
    return phase == 'P' ? QColor(0xf1, 0xdc, 0xf4) : QColor(0xe4, 0xee, 0xf8);
}

QColor phaseStripColor(char phase)
{
    return phase == 'P' ? QColor(0xa8, 0x5c, 0xb8) : QColor(0x5b, 0x8f, 0xc9);
}

namespace {
std::string lowerExtension(const std::filesystem::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}
} // namespace

Status savePlot(QCustomPlot* plot, const std::filesystem::path& out, int width, int height)
{
    const std::string ext = lowerExtension(out);
    const QString file = QString::fromStdString(out.string());
    // Both QCustomPlot savers write to the final path directly; write to a temporary name in
    // the same folder and rename so a failure never leaves half a figure (architecture rule 7).
    const QString tmp = file + ".tmp-dw" + (ext == ".pdf" ? ".pdf" : ".png");
    bool ok = false;
    if (ext == ".png")
        ok = plot->savePng(tmp, width, height);
    else if (ext == ".pdf")
        ok = plot->savePdf(tmp, width, height);
    else
        return makeError("cannot save a figure as '" + out.filename().string() + "'",
                         "use a file name ending in .png or .pdf");
    if (ok) {
        QFile::remove(file);
        ok = QFile::rename(tmp, file);
    }
    if (!ok) {
        QFile::remove(tmp);
        return makeError("could not write '" + out.string() + "'",
                         "check that the folder exists and is writable");
    }
    return {};
}

Status saveWidget(QWidget* widget, const std::filesystem::path& out)
{
    const std::string ext = lowerExtension(out);
    const QString file = QString::fromStdString(out.string());
    const QString tmp = file + ".tmp-dw" + (ext == ".pdf" ? ".pdf" : ".png");
    bool ok = false;
    if (ext == ".png") {
        ok = widget->grab().save(tmp, "PNG");
    } else if (ext == ".pdf") {
        QPdfWriter writer(tmp);
        writer.setPageSize(QPageSize(widget->size(), QPageSize::Point));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setResolution(72);
        QPainter painter(&writer);
        ok = painter.isActive();
        if (ok)
            widget->render(&painter);
        painter.end();
    } else {
        return makeError("cannot save a figure as '" + out.filename().string() + "'",
                         "use a file name ending in .png or .pdf");
    }
    if (ok) {
        QFile::remove(file);
        ok = QFile::rename(tmp, file);
    }
    if (!ok) {
        QFile::remove(tmp);
        return makeError("could not write '" + out.string() + "'",
                         "check that the folder exists and is writable");
    }
    return {};
}

void attachExportMenu(QCustomPlot* plot, const QString& baseName)
{
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(plot, &QWidget::customContextMenuRequested, plot,
                     [plot, baseName](const QPoint& pos) {
                         QMenu menu(plot);
                         menu.addAction(QObject::tr("Save as PNG..."));
                         QAction* pdf = menu.addAction(QObject::tr("Save as PDF..."));
                         QAction* chosen = menu.exec(plot->mapToGlobal(pos));
                         if (!chosen)
                             return;
                         const bool isPdf = chosen == pdf;
                         const QString filter = isPdf ? QObject::tr("PDF (*.pdf)")
                                                      : QObject::tr("PNG image (*.png)");
                         QString file = QFileDialog::getSaveFileName(
                             plot, QObject::tr("Save figure"),
                             baseName + (isPdf ? ".pdf" : ".png"), filter);
                         if (file.isEmpty())
                             return;
                         if (!file.endsWith(isPdf ? ".pdf" : ".png", Qt::CaseInsensitive))
                             file += isPdf ? ".pdf" : ".png";
                         if (auto s = savePlot(plot, file.toStdString()); !s)
                             QMessageBox::warning(plot, QObject::tr("Save figure"),
                                                  QString::fromStdString(s.error().text()));
                     });
}

Status ensureGuiApplication()
{
    if (QCoreApplication* app = QCoreApplication::instance()) {
        if (qobject_cast<QApplication*>(app))
            return {};
        return makeError("a non-GUI Qt application is already running",
                         "create a QApplication before rendering figures");
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") &&
        qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Kept for the whole process on purpose: destroying a QApplication from a static destructor
    // after main() returns is unsafe, and the CLI exits right after rendering anyway.
    static int argc = 1;
    static char name[] = "dendrite";
    static char* argv[] = {name, nullptr};
    new QApplication(argc, argv);
    return {};
}

} // namespace dw::ui
