// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Feature (MFCC / MFE) settings: every parameter of kws-pipeline.md section 2 under its Edge
// Impulse name, with tooltips. FeatureEditor is the form (embeddable in a page); FeatureDialog
// adds a live preview of the current clip's feature image and refuses invalid values with the
// reason given by dw::FeatureConfig::validate. GUI thread only; computing one clip's features
// takes ~0.1 ms, so the preview is computed synchronously.

#include "dw/core/features.h"

#include <QDialog>
#include <QWidget>

#include <cstdint>
#include <vector>

class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSpinBox;

namespace dw::ui {

class FeatureImage;

class FeatureEditor : public QWidget
{
    Q_OBJECT
public:
    explicit FeatureEditor(QWidget* parent = nullptr);

    void setConfig(const dw::FeatureConfig& config);
    dw::FeatureConfig config() const;
    // Validation of the current values for a clip of `samples` samples.
    dw::Status validate(int samples = 16000) const;

    // Widgets by Edge Impulse parameter name (for tests and focus): "num_cepstral", ...
    QWidget* field(const QString& name) const;
    QStringList fieldNames() const;

Q_SIGNALS:
    void configChanged();

private:
    QFormLayout* m_form = nullptr;
    QComboBox* m_kind = nullptr;
    QComboBox* m_window = nullptr;
    QSpinBox* m_numCepstral = nullptr;
    QDoubleSpinBox* m_frameLength = nullptr;
    QDoubleSpinBox* m_frameStride = nullptr;
    QSpinBox* m_numFilters = nullptr;
    QSpinBox* m_fftLength = nullptr;
    QSpinBox* m_winSize = nullptr;
    QDoubleSpinBox* m_lowFrequency = nullptr;
    QDoubleSpinBox* m_highFrequency = nullptr;
    QDoubleSpinBox* m_preCof = nullptr;
    int m_sampleRate = 16000;
    bool m_loading = false;
};

// Editor + live preview + inline reason for invalid values. accept() is refused while invalid.
class FeaturePanel : public QWidget
{
    Q_OBJECT
public:
    explicit FeaturePanel(QWidget* parent = nullptr);

    FeatureEditor* editor() const { return m_editor; }
    FeatureImage* preview() const { return m_preview; }
    // Samples (raw int16) of the clip to preview; empty shows a message instead.
    void setPreviewSamples(std::vector<int16_t> samples, const QString& clipName = {});
    bool isValid() const { return m_valid; }
    QString errorText() const; // the reason shown inline, empty when valid

Q_SIGNALS:
    void validityChanged(bool valid);

private:
    void refresh();

    FeatureEditor* m_editor = nullptr;
    FeatureImage* m_preview = nullptr;
    QLabel* m_error = nullptr;
    QLabel* m_shape = nullptr;
    std::vector<int16_t> m_samples;
    QString m_clipName;
    bool m_valid = true;
};

class FeatureDialog : public QDialog
{
    Q_OBJECT
public:
    explicit FeatureDialog(const dw::FeatureConfig& config, QWidget* parent = nullptr);

    void setPreviewSamples(std::vector<int16_t> samples, const QString& clipName = {});
    dw::FeatureConfig config() const;
    FeaturePanel* panel() const { return m_panel; }
    bool canAccept() const;

    void accept() override;

private:
    FeaturePanel* m_panel = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

} // namespace dw::ui
