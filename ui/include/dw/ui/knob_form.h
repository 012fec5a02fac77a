// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A form for every TrainConfig knob, generated from one table (trainingKnobs()): name (the spec
// name used by `--set`), type, group, tooltip, and whether it sits in the "Advanced" fold.
// Values go through TrainConfig::set, so the engine's rules decide; a rejected value shows its
// reason inline under the field and config() returns that Error. GUI thread only.

#include "dw/core/result.h"
#include "dw/core/train_config.h"

#include <QWidget>

#include <map>
#include <string>
#include <vector>

class QLabel;
class QToolButton;

namespace dw::ui {

struct KnobSpec {
    enum class Type { Int, Double, Choice, Bool, List };
    std::string name;
    Type type = Type::Int;
    std::string group; // "Architecture", "Training", "Dendrites", "Features"
    std::vector<std::string> choices; // Choice
    std::string tooltip;              // what it does
    bool advanced = false;
    bool customOnly = false; // only meaningful for model=custom
};

// Every knob of TrainConfig::knobNames(), in display order.
const std::vector<KnobSpec>& trainingKnobs();
const KnobSpec* findKnob(const std::string& name);

// The value of a knob in a config as text (the form `--set` accepts).
std::string knobValue(const TrainConfig& config, const std::string& name);

class KnobForm : public QWidget
{
    Q_OBJECT
public:
    explicit KnobForm(QWidget* parent = nullptr);

    // Fills every field from a config (clears inline errors).
    void setConfig(const TrainConfig& config);
    // Applies every field to a copy of `base`; the first Error (also shown inline) or the config.
    Result<TrainConfig> config(const TrainConfig& base = {}) const;

    // Sets one field as if typed and validates it; false (and an inline reason) when rejected.
    bool setValue(const std::string& name, const QString& text);
    QString value(const std::string& name) const;
    // The inline reason under a field ("" when the value is accepted).
    QString errorText(const std::string& name) const;
    QWidget* editor(const std::string& name) const;
    bool advancedVisible() const;
    void setAdvancedVisible(bool on);

Q_SIGNALS:
    void changed();

private:
    struct Field {
        const KnobSpec* spec = nullptr;
        QWidget* editor = nullptr;
        QLabel* error = nullptr;
        QLabel* label = nullptr;
    };
    QString textOf(const Field& f) const;
    void setTextOf(Field& f, const QString& text);
    bool validateField(const std::string& name) const;
    void updateEnabled();

    std::map<std::string, Field> m_fields;
    QWidget* m_advanced = nullptr;
    QToolButton* m_advancedToggle = nullptr;
};

} // namespace dw::ui
