// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/knob_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace dw::ui {

namespace {
using T = KnobSpec::Type;

std::vector<KnobSpec> makeKnobs()
{
    // Tooltips say what a knob does and the values the paper's sweep used (spec section 7).
    return {
        {"model",
         T::Choice,
         "Architecture",
         {"ei1d", "ei2d", "block", "custom"},
         "Base network: ei1d = Edge Impulse's 1-D conv keyword model; ei2d = the PerforatedAI "
         "block's 2-D tutorial net (Conv2d 8, 16, floor pooling, MaxNorm 1); block = the "
         "configurable 2-D family of the paper's sweep (conv_layers, linear_layers, width, "
         "growth_mode, dropout below); custom = the 1-D or 2-D family of earlier versions.",
         false,
         false},
        {"conv_dim",
         T::Int,
         "Architecture",
         {},
         "Custom only: 1 = Conv1d over time (Edge Impulse default), 2 = Conv2d over time x "
         "coefficients (block is always 2-D).",
         false,
         true},
        {"conv_layers",
         T::Int,
         "Architecture",
         {},
         "Block and custom: number of conv blocks (conv k3 same, ReLU, max-pool 2, dropout); sweep "
         "1-3, "
         "0 = plain MLP.",
         false,
         true},
        {"linear_layers",
         T::Int,
         "Architecture",
         {},
         "Block and custom: linear layers after the convs; hidden widths log-spaced between "
         "features and "
         "classes. Sweep 1-2.",
         false,
         true},
        {"width",
         T::Double,
         "Architecture",
         {},
         "Block and custom: channel multiplier (8 x width channels in the first block). Sweep 0.25 "
         "to 4; "
         "small widths underfit, which is where dendrites help.",
         false,
         true},
        {"growth_mode",
         T::Int,
         "Architecture",
         {},
         "Block and custom: channel schedule 0-5: [8,16,32,64] [8,16,24,32] [8,16,16,32] "
         "[8,16,16,16] "
         "[8,8,8,8] [8,8,8,16].",
         false,
         true},
        {"dropout",
         T::Double,
         "Architecture",
         {},
         "Dropout after each block (0 to 0.95; sweep 0.1, 0.3, 0.5).",
         false,
         false},
        {"input_noise",
         T::Double,
         "Architecture",
         {},
         "Std of gaussian noise added to the inputs while training (sweep 0, 0.1, 0.2); auto = "
         "0.2 for ei2d (as the block's tutorial net trains), else 0.",
         true,
         false},
        {"mode",
         T::Choice,
         "Dendrites",
         {"traditional", "gd", "cc"},
         "Model type. traditional: no dendrites (early stopping only). gd: dendrites added and "
         "trained jointly by backprop. cc: perforated backpropagation, N-phases alternate with "
         "P-phases in which candidate dendrites learn to correlate with the remaining error.",
         false,
         false},
        {"perforate",
         T::Choice,
         "Dendrites",
         {"linear", "all"},
         "Which layers get dendrites: linear only, or linear and conv layers.",
         false,
         false},
        {"max_dendrites",
         T::Int,
         "Dendrites",
         {},
         "Most dendrites per layer (0 = none; sweep 1, 2, 3, unlimited).",
         false,
         false},
        {"n_patience",
         T::Int,
         "Dendrites",
         {},
         "Epochs without validation improvement before the tracker switches (adds a dendrite or "
         "finishes). Sweep 10, 25, 100.",
         false,
         false},
        {"p_patience",
         T::Int,
         "Dendrites",
         {},
         "cc: P-phase epochs without candidate score improvement before the best candidate is "
         "added.",
         false,
         false},
        {"lr",
         T::Double,
         "Training",
         {},
         "Learning rate of Adam (rebuilt with a ReduceLROnPlateau scheduler after every "
         "restructure).",
         false,
         false},
        {"batch_size", T::Int, "Training", {}, "Clips per training batch.", false, false},
        {"epochs_max",
         T::Int,
         "Training",
         {},
         "Hard cap on epochs of the whole run, all phases together.",
         false,
         false},
        {"seed",
         T::Int,
         "Training",
         {},
         "Random seed: the same seed and data give the same run.",
         false,
         false},
        {"threads",
         T::Int,
         "Training",
         {},
         "CPU threads used by the training worker.",
         true,
         false},
        {"early_stop_patience",
         T::Int,
         "Training",
         {},
         "Alias of n_patience for traditional runs.",
         true,
         false},
        {"max_tries",
         T::Int,
         "Dendrites",
         {},
         "How many times a dendrite that did not beat the global best is discarded and tried "
         "again before the run finishes.",
         true,
         false},
        {"improvement_thresholds",
         T::List,
         "Dendrites",
         {},
         "Relative improvement a new best needs, per dendrite count K, e.g. [0.001,0.0001,0] "
         "(sweep: that or [0]).",
         true,
         false},
        {"init_multiplier",
         T::Double,
         "Dendrites",
         {},
         "Scale of a new dendrite's random weights (sweep 0.1, 0.01).",
         true,
         false},
        {"dendrite_activation",
         T::Choice,
         "Dendrites",
         {"sigmoid", "tanh", "relu"},
         "Nonlinearity of each dendrite's output.",
         true,
         false},
        {"warmup_batches",
         T::Int,
         "Dendrites",
         {},
         "cc: batches averaged plainly before candidate scores become running averages "
         "(capped at 10 % of an epoch).",
         true,
         false},
        {"cap_at_n",
         T::Bool,
         "Dendrites",
         {},
         "cc: end each P-phase after as many epochs as the first N-phase took.",
         true,
         false},
        {"dendrite_update_mode",
         T::Bool,
         "Dendrites",
         {},
         "cc: accepted dendrites and their output weights keep learning in N-phases.",
         true,
         false},
        {"dendrite_graph_mode",
         T::Bool,
         "Dendrites",
         {},
         "cc: accepted dendrites see a detached input in N-phases, so no error flows through them "
         "into earlier layers (the library's default). Off: the task gradient flows through them "
         "(the paper's block sweeps both).",
         true,
         false},
        {"sched_patience",
         T::Int,
         "Training",
         {},
         "ReduceLROnPlateau patience in epochs, in N-phases and (as the library) in P-phases; must "
         "be below n_patience. auto = min(5, n_patience - 1).",
         true,
         false},
        {"sched_factor",
         T::Double,
         "Training",
         {},
         "Factor by which ReduceLROnPlateau lowers the learning rate (0 to 1; the block uses 0.1).",
         true,
         false},
        {"lr_lowered_before_giving_up",
         T::Bool,
         "Dendrites",
         {},
         "The tracker does not switch a cycle before its learning rate was lowered once (the "
         "library's dont_give_up_unless_learning_rate_lowered).",
         true,
         false},
        {"max_norm",
         T::Double,
         "Architecture",
         {},
         "Max-norm of each conv kernel after every optimizer step (0 = off; auto = 1 for block and "
         "ei2d, as the paper's block).",
         true,
         false},
        {"kind",
         T::Choice,
         "Features",
         {"mfcc", "mfe"},
         "Feature type (normally the project's): MFCC or log mel energies.",
         true,
         false},
        {"window",
         T::Choice,
         "Features",
         {"none", "hann"},
         "Analysis window (Edge Impulse uses none).",
         true,
         false},
        {"num_cepstral", T::Int, "Features", {}, "MFCC coefficients per frame.", true, false},
        {"frame_length", T::Double, "Features", {}, "Frame length in seconds.", true, false},
        {"frame_stride", T::Double, "Features", {}, "Frame stride in seconds.", true, false},
        {"num_filters", T::Int, "Features", {}, "Mel filters.", true, false},
        {"fft_length", T::Int, "Features", {}, "FFT length (a power of two).", true, false},
        {"win_size",
         T::Int,
         "Features",
         {},
         "Normalisation window in frames (odd; 0 disables).",
         true,
         false},
        {"low_frequency", T::Double, "Features", {}, "Lowest mel frequency in Hz.", true, false},
        {"high_frequency",
         T::Double,
         "Features",
         {},
         "Highest mel frequency in Hz (0 = half the sample rate).",
         true,
         false},
        {"pre_cof",
         T::Double,
         "Features",
         {},
         "Pre-emphasis coefficient (0 disables).",
         true,
         false},
        {"sample_rate", T::Int, "Features", {}, "Sample rate of the clips in Hz.", true, false},
    };
}

QString jsonValueText(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? "true" : "false";
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d == double(qint64(d)) && std::abs(d) < 1e15)
            return QString::number(qint64(d));
        return QString::number(d, 'g', 10);
    }
    if (v.isArray()) {
        QStringList parts;
        for (const QJsonValue& x : v.toArray())
            parts << jsonValueText(x);
        return "[" + parts.join(",") + "]";
    }
    return {};
}
} // namespace

const std::vector<KnobSpec>& trainingKnobs()
{
    static const std::vector<KnobSpec> knobs = makeKnobs();
    return knobs;
}

const KnobSpec* findKnob(const std::string& name)
{
    for (const KnobSpec& k : trainingKnobs())
        if (k.name == name)
            return &k;
    return nullptr;
}

std::string knobValue(const TrainConfig& config, const std::string& name)
{
    // Read back through the engine's own serialisation, so this never drifts from TrainConfig.
    const QJsonObject o =
        QJsonDocument::fromJson(QByteArray::fromStdString(config.toJson())).object();
    if (o.contains(QString::fromStdString(name)))
        return jsonValueText(o.value(QString::fromStdString(name))).toStdString();
    const QJsonObject f = o.value("features").toObject();
    return jsonValueText(f.value(QString::fromStdString(name))).toStdString();
}

KnobForm::KnobForm(QWidget* parent) : QWidget(parent)
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    std::map<std::string, QFormLayout*> basicForms, advancedForms;
    m_advanced = new QWidget(this);
    auto* advLayout = new QVBoxLayout(m_advanced);
    advLayout->setContentsMargins(0, 0, 0, 0);
    const std::vector<std::string> groups = {"Architecture", "Dendrites", "Training", "Features"};
    QVBoxLayout* basicLayout = outer;
    for (const std::string& g : groups) {
        auto* box = new QGroupBox(QString::fromStdString(g), this);
        basicForms[g] = new QFormLayout(box);
        basicLayout->addWidget(box);
        auto* abox = new QGroupBox(QString::fromStdString(g), m_advanced);
        advancedForms[g] = new QFormLayout(abox);
        advLayout->addWidget(abox);
    }
    m_advancedToggle = new QToolButton(this);
    m_advancedToggle->setText(tr("Advanced"));
    m_advancedToggle->setCheckable(true);
    m_advancedToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_advancedToggle->setArrowType(Qt::RightArrow);
    m_advancedToggle->setAutoRaise(true);
    m_advancedToggle->setToolTip(tr("Show every other knob of the run (all are recorded in the "
                                    "run's config.json)."));
    outer->addWidget(m_advancedToggle);
    outer->addWidget(m_advanced);
    outer->addStretch(1);
    connect(m_advancedToggle, &QToolButton::toggled, this, &KnobForm::setAdvancedVisible);

    for (const KnobSpec& k : trainingKnobs()) {
        QFormLayout* form = (k.advanced ? advancedForms : basicForms)[k.group];
        Field f;
        f.spec = &k;
        const QString name = QString::fromStdString(k.name);
        const QString tip = QString::fromStdString(k.tooltip) + "\n\n" +
                            tr("Knob name: %1 (dendrite train --set %1=...)").arg(name);
        switch (k.type) {
        case T::Choice: {
            auto* c = new QComboBox(this);
            for (const std::string& ch : k.choices)
                c->addItem(QString::fromStdString(ch));
            connect(c, &QComboBox::currentIndexChanged, this, [this, n = k.name] {
                validateField(n);
                updateEnabled();
                Q_EMIT changed();
            });
            f.editor = c;
            break;
        }
        case T::Bool: {
            auto* c = new QCheckBox(this);
            connect(c, &QCheckBox::toggled, this, [this, n = k.name] {
                validateField(n);
                Q_EMIT changed();
            });
            f.editor = c;
            break;
        }
        default: {
            // Free text on purpose: an out-of-range value stays visible with the engine's reason
            // next to it instead of being silently clamped by a spin box.
            auto* e = new QLineEdit(this);
            e->setMaximumWidth(180);
            connect(e, &QLineEdit::editingFinished, this, [this, n = k.name] {
                validateField(n);
                Q_EMIT changed();
            });
            f.editor = e;
            break;
        }
        }
        f.editor->setObjectName("knob_" + name);
        f.editor->setToolTip(tip);
        f.error = new QLabel(this);
        f.error->setObjectName("knobError_" + name);
        f.error->setWordWrap(true);
        f.error->setStyleSheet("color: #c0392b;");
        f.error->setVisible(false);
        auto* cell = new QWidget(this);
        auto* cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        cellLayout->setSpacing(1);
        cellLayout->addWidget(f.editor);
        cellLayout->addWidget(f.error);
        f.label = new QLabel(name, this);
        f.label->setToolTip(tip);
        form->addRow(f.label, cell);
        m_fields[k.name] = f;
    }
    // Hide empty groups.
    for (auto* forms : {&basicForms, &advancedForms})
        for (auto& [g, form] : *forms)
            if (form->rowCount() == 0)
                form->parentWidget()->setVisible(false);
    setAdvancedVisible(false);
    setConfig(TrainConfig{});
}

bool KnobForm::advancedVisible() const
{
    return m_advancedToggle->isChecked();
}

void KnobForm::setAdvancedVisible(bool on)
{
    if (m_advancedToggle->isChecked() != on)
        m_advancedToggle->setChecked(on);
    m_advancedToggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    m_advanced->setVisible(on);
}

QString KnobForm::textOf(const Field& f) const
{
    if (auto* c = qobject_cast<QComboBox*>(f.editor))
        return c->currentText();
    if (auto* b = qobject_cast<QCheckBox*>(f.editor))
        return b->isChecked() ? "true" : "false";
    if (auto* e = qobject_cast<QLineEdit*>(f.editor))
        return e->text().trimmed();
    return {};
}

void KnobForm::setTextOf(Field& f, const QString& text)
{
    const QSignalBlocker block(f.editor);
    if (auto* c = qobject_cast<QComboBox*>(f.editor)) {
        int i = c->findText(text);
        if (i < 0) {
            c->addItem(text); // keeps an unknown value visible so its error makes sense
            i = c->count() - 1;
        }
        c->setCurrentIndex(i);
    } else if (auto* b = qobject_cast<QCheckBox*>(f.editor)) {
        const QString t = text.toLower();
        b->setChecked(t == "true" || t == "1" || t == "yes" || t == "on");
    } else if (auto* e = qobject_cast<QLineEdit*>(f.editor)) {
        e->setText(text);
    }
}

void KnobForm::setConfig(const TrainConfig& config)
{
    for (auto& [name, f] : m_fields) {
        setTextOf(f, QString::fromStdString(knobValue(config, name)));
        f.error->clear();
        f.error->setVisible(false);
    }
    updateEnabled();
}

bool KnobForm::validateField(const std::string& name) const
{
    auto it = m_fields.find(name);
    if (it == m_fields.end())
        return false;
    TrainConfig scratch;
    Status s = scratch.set(name, textOf(it->second).toStdString());
    it->second.error->setText(s ? QString() : QString::fromStdString(s.error().text()));
    it->second.error->setVisible(!s);
    return s.ok();
}

bool KnobForm::setValue(const std::string& name, const QString& text)
{
    auto it = m_fields.find(name);
    if (it == m_fields.end())
        return false;
    setTextOf(it->second, text);
    const bool ok = validateField(name);
    updateEnabled();
    Q_EMIT changed();
    return ok;
}

QString KnobForm::value(const std::string& name) const
{
    auto it = m_fields.find(name);
    return it == m_fields.end() ? QString() : textOf(it->second);
}

QString KnobForm::errorText(const std::string& name) const
{
    auto it = m_fields.find(name);
    return it == m_fields.end() ? QString() : it->second.error->text();
}

QWidget* KnobForm::editor(const std::string& name) const
{
    auto it = m_fields.find(name);
    return it == m_fields.end() ? nullptr : it->second.editor;
}

Result<TrainConfig> KnobForm::config(const TrainConfig& base) const
{
    TrainConfig c = base;
    std::optional<Error> first;
    // Table order, so aliases (early_stop_patience) are applied before the knob they alias.
    std::vector<const KnobSpec*> order;
    for (const KnobSpec& k : trainingKnobs())
        if (k.name == "early_stop_patience")
            order.insert(order.begin(), &k);
        else
            order.push_back(&k);
    for (const KnobSpec* k : order) {
        const Field& f = m_fields.at(k->name);
        Status s = c.set(k->name, textOf(f).toStdString());
        f.error->setText(s ? QString() : QString::fromStdString(s.error().text()));
        f.error->setVisible(!s);
        if (!s && !first)
            first = s.error();
    }
    if (first)
        return *first;
    if (auto s = c.validate(); !s)
        return s.error();
    return c;
}

void KnobForm::updateEnabled()
{
    const QString model = value("model");
    const bool custom = model == "custom";
    const bool family = custom || model == "block"; // the configurable architectures
    const bool dendrites = value("mode") != "traditional";
    for (auto& [name, f] : m_fields) {
        bool on = true;
        if (f.spec->customOnly)
            on = name == "conv_dim" ? custom : family;
        if (f.spec->group == "Dendrites" && name != "mode")
            on = dendrites;
        f.editor->setEnabled(on);
        f.label->setEnabled(on);
    }
}

} // namespace dw::ui
