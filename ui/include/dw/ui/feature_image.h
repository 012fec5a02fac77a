// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// MFCC / MFE feature image of one clip (QCPColorMap): time in seconds on x, coefficient or mel
// filter index on y, colour = value, with a colour scale. GUI thread only.

#include "dw/core/features.h"

#include <qcustomplot.h>

namespace dw::ui {

class FeatureImage : public QCustomPlot
{
    Q_OBJECT
public:
    explicit FeatureImage(QWidget* parent = nullptr);

    // Shows `features` computed with `config` (for the axis units and title).
    void setFeatures(const dw::FeatureMatrix& features, const dw::FeatureConfig& config);
    // Shows an empty image with a centred message (no clip, invalid settings, error).
    void showMessage(const QString& message);

    bool hasImage() const { return m_frames > 0; }
    int frames() const { return m_frames; }
    int coeffs() const { return m_coeffs; }
    QCPColorMap* colorMap() const { return m_map; }

private:
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemText* m_message = nullptr;
    int m_frames = 0;
    int m_coeffs = 0;
};

// A perceptually ordered gradient (dark blue -> green -> yellow) that reads well in print.
QCPColorGradient featureGradient();

} // namespace dw::ui
