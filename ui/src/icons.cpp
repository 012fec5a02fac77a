// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/icons.h"

#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>

namespace dw::ui {

QPixmap appIconPixmap(int size)
{
    QPixmap pm(size, size);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(size / 256.0, size / 256.0);
    QLinearGradient bg(0, 12, 0, 244);
    bg.setColorAt(0, QColor("#2f6fb3"));
    bg.setColorAt(1, QColor("#1d2f4f"));
    p.setPen(Qt::NoPen);
    p.setBrush(bg);
    p.drawRoundedRect(QRectF(12, 12, 232, 232), 48, 48);
    // Dendrite branches.
    QPen branch(QColor("#8fd3ff"), 9, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(branch);
    p.setBrush(Qt::NoBrush);
    p.drawLine(QPointF(128, 150), QPointF(128, 204));
    p.drawPolyline(QPolygonF({{128, 112}, {92, 74}, {66, 70}}));
    p.drawLine(QPointF(92, 74), QPointF(88, 48));
    p.drawPolyline(QPolygonF({{128, 112}, {166, 72}, {192, 66}}));
    p.drawLine(QPointF(166, 72), QPointF(172, 46));
    // Soma.
    p.setPen(Qt::NoPen);
    p.setBrush(QColor("#ffd166"));
    p.drawEllipse(QPointF(128, 128), 26, 26);
    // Waveform.
    p.setPen(QPen(Qt::white, 8, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(Qt::NoBrush);
    p.drawPolyline(QPolygonF({{36, 176},
                              {60, 176},
                              {70, 160},
                              {80, 196},
                              {92, 150},
                              {104, 190},
                              {114, 168},
                              {122, 176},
                              {134, 176},
                              {144, 158},
                              {156, 198},
                              {168, 154},
                              {180, 188},
                              {190, 176},
                              {220, 176}}));
    return pm;
}

QIcon appIcon()
{
    QIcon icon;
    for (int s : {16, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(appIconPixmap(s));
    return icon;
}

static QPixmap drawPage(const QString& id, const QColor& c, int size)
{
    QPixmap pm(size, size);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(size / 24.0, size / 24.0);
    QPen pen(c, 1.8, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    if (id == "dataset") {
        // Stacked clips.
        p.drawRoundedRect(QRectF(3, 4, 18, 4), 1, 1);
        p.drawRoundedRect(QRectF(3, 10, 18, 4), 1, 1);
        p.drawRoundedRect(QRectF(3, 16, 18, 4), 1, 1);
    } else if (id == "record") {
        p.drawRoundedRect(QRectF(9, 3, 6, 11), 3, 3);
        p.drawArc(QRectF(5.5, 6, 13, 11), 180 * 16, 180 * 16);
        p.drawLine(QPointF(12, 17), QPointF(12, 21));
        p.drawLine(QPointF(8.5, 21), QPointF(15.5, 21));
    } else if (id == "features") {
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                p.drawRect(QRectF(4 + 6 * i, 4 + 6 * j, 4, 4));
    } else if (id == "train") {
        p.drawPolyline(QPolygonF({{3, 19}, {8, 13}, {12, 15}, {20, 5}}));
        p.drawPolyline(QPolygonF({{15, 5}, {20, 5}, {20, 10}}));
    } else if (id == "runs") {
        p.drawLine(QPointF(5, 20), QPointF(5, 12));
        p.drawLine(QPointF(10, 20), QPointF(10, 6));
        p.drawLine(QPointF(15, 20), QPointF(15, 9));
        p.drawLine(QPointF(20, 20), QPointF(20, 4));
    } else if (id == "sweeps") {
        for (int i = 0; i < 3; ++i) {
            const double y = 6 + 6 * i;
            p.drawLine(QPointF(3, y), QPointF(21, y));
            p.setBrush(c);
            p.drawEllipse(QPointF(i == 1 ? 15 : (i == 0 ? 8 : 11), y), 2, 2);
            p.setBrush(Qt::NoBrush);
        }
    } else if (id == "export") {
        p.drawRect(QRectF(7, 7, 10, 10));
        for (int i = 0; i < 3; ++i) {
            const double o = 9 + 3 * i;
            p.drawLine(QPointF(o, 3), QPointF(o, 7));
            p.drawLine(QPointF(o, 17), QPointF(o, 21));
            p.drawLine(QPointF(3, o), QPointF(7, o));
            p.drawLine(QPointF(17, o), QPointF(21, o));
        }
    } else {
        p.drawRoundedRect(QRectF(5, 3, 14, 18), 2, 2);
        p.drawLine(QPointF(8, 9), QPointF(16, 9));
        p.drawLine(QPointF(8, 13), QPointF(16, 13));
    }
    return pm;
}

QIcon pageIcon(const QString& id, const QColor& color)
{
    QIcon icon;
    for (int s : {16, 18, 24, 32, 48, 56})
        icon.addPixmap(drawPage(id, color, s));
    for (int s : {16, 18, 24, 32, 48, 56})
        icon.addPixmap(drawPage(id, Qt::white, s), QIcon::Selected);
    return icon;
}

} // namespace dw::ui
