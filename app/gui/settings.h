// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Typed application settings (architecture rule 6): every option is defined once, with its key,
// default, allowed range or choices and a description, in settings.cpp's table. Values read from
// disk are checked against that definition (out of range -> default). core and audio never see
// QSettings: the app turns settings into config structs (FeatureConfig, CaptureConfig).
// GUI thread only.

#include "dw/core/features.h"

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <memory>
#include <vector>

namespace dw::gui {

struct OptionDef {
    QString key;           // QSettings key, "group/name"
    QVariant defaultValue; // its type is the option's type
    QVariant min;          // numeric options: inclusive range (invalid QVariant: unbounded)
    QVariant max;
    QStringList choices;   // string options with a fixed set of values
    QString description;
};

// The definitions, one per option (the single source of truth; also printed by --help-settings).
namespace options {
extern const OptionDef recentProjects;    // QStringList, newest first
extern const OptionDef recentProjectsMax; // int 1..30
extern const OptionDef lastProject;       // QString, reopened at start when no path is given
extern const OptionDef reopenLastProject; // bool
extern const OptionDef defaultInputDevice;  // QString device name, empty: system default
extern const OptionDef defaultOutputDevice; // QString device name, empty: system default
extern const OptionDef featureDefaults;   // QString FeatureConfig JSON for new projects
extern const OptionDef theme;             // "light" | "dark" | "system"
extern const OptionDef windowGeometry;    // QByteArray (QWidget::saveGeometry)
extern const OptionDef windowState;       // QByteArray (QMainWindow::saveState)
extern const OptionDef currentPage;       // QString page id
extern const OptionDef demoSeed;          // int, seed of "Generate demo dataset"
extern const OptionDef workerThreads;     // int 0..64, 0 = all cores
} // namespace options

const std::vector<const OptionDef*>& allOptions();

class Settings
{
public:
    // Uses the application's QSettings (organisation/application names of the QApplication).
    Settings();
    // Uses an INI file at `path` (tests, portable installs).
    explicit Settings(const QString& iniPath);

    // The stored value converted to the option's type, or the default when missing or invalid.
    QVariant value(const OptionDef& option) const;
    // Stores a value; false (nothing stored) when it is of the wrong type or out of range.
    bool setValue(const OptionDef& option, const QVariant& value);
    void reset(const OptionDef& option);
    // Is `value` acceptable for `option`? (type convertible, in range, one of the choices)
    static bool isValid(const OptionDef& option, const QVariant& value);

    QString string(const OptionDef& o) const { return value(o).toString(); }
    int integer(const OptionDef& o) const { return value(o).toInt(); }
    bool boolean(const OptionDef& o) const { return value(o).toBool(); }
    QByteArray bytes(const OptionDef& o) const { return value(o).toByteArray(); }

    // Recent projects: most recent first, deduplicated, capped at recentProjectsMax.
    QStringList recentProjects() const;
    void addRecentProject(const QString& path);
    void removeRecentProject(const QString& path);

    // Feature defaults for new projects (the spec defaults when unset or invalid).
    dw::FeatureConfig featureDefaults() const;
    void setFeatureDefaults(const dw::FeatureConfig& config);

    void sync();
    QString fileName() const;

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace dw::gui
