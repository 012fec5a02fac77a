// SPDX-License-Identifier: GPL-3.0-or-later
#include "settings.h"

#include <QDir>
#include <QFileInfo>

namespace dw::gui {

namespace options {
const OptionDef recentProjects{"projects/recent", QStringList{}, {}, {}, {},
                               "Recently opened project folders, newest first."};
const OptionDef recentProjectsMax{"projects/recent_max", 10, 1, 30, {},
                                  "How many recent projects File > Recent projects lists."};
const OptionDef lastProject{"projects/last", QString(), {}, {}, {},
                            "Project reopened at start when none is given on the command line."};
const OptionDef reopenLastProject{"projects/reopen_last", true, {}, {}, {},
                                  "Reopen the last project at start."};
const OptionDef defaultInputDevice{"audio/input_device", QString(), {}, {}, {},
                                   "Name of the preferred input device; empty: system default."};
const OptionDef defaultOutputDevice{"audio/output_device", QString(), {}, {}, {},
                                    "Name of the preferred output device; empty: system default."};
const OptionDef featureDefaults{"features/defaults", QString(), {}, {}, {},
                                "Feature settings (JSON) given to new projects; empty: Edge "
                                "Impulse's MFCC defaults."};
const OptionDef theme{"ui/theme", QString("light"), {}, {}, {"light", "dark", "system"},
                      "Colour theme: light, dark, or the desktop's (system)."};
const OptionDef windowGeometry{"window/geometry", QByteArray(), {}, {}, {},
                               "Main window position and size (restored at start)."};
const OptionDef windowState{"window/state", QByteArray(), {}, {}, {},
                            "Main window toolbars and docks (restored at start)."};
const OptionDef currentPage{"window/page", QString("dataset"), {}, {}, {},
                            "Page shown at start (dataset, record, features, train, ...)."};
const OptionDef demoSeed{"demo/seed", 1, 0, 2147483647, {},
                         "Seed of Generate demo dataset (same seed, same clips)."};
const OptionDef workerThreads{"workers/threads", 0, 0, 64, {},
                              "Threads for whole-dataset feature computation; 0: all cores."};
} // namespace options

const std::vector<const OptionDef*>& allOptions()
{
    using namespace options;
    static const std::vector<const OptionDef*> all = {
        &recentProjects, &recentProjectsMax, &lastProject,     &reopenLastProject,
        &defaultInputDevice, &defaultOutputDevice, &featureDefaults, &theme,
        &windowGeometry, &windowState,       &currentPage,     &demoSeed,
        &workerThreads};
    return all;
}

Settings::Settings() : m_settings(std::make_unique<QSettings>()) {}

Settings::Settings(const QString& iniPath)
    : m_settings(std::make_unique<QSettings>(iniPath, QSettings::IniFormat))
{
}

bool Settings::isValid(const OptionDef& o, const QVariant& v)
{
    const QMetaType type = o.defaultValue.metaType();
    if (!v.isValid() || !v.canConvert(type))
        return false;
    QVariant c = v;
    if (!c.convert(type))
        return false;
    if (type.id() == QMetaType::Int || type.id() == QMetaType::Double) {
        bool ok = false;
        const double d = v.toDouble(&ok);
        if (!ok)
            return false;
        if (o.min.isValid() && d < o.min.toDouble())
            return false;
        if (o.max.isValid() && d > o.max.toDouble())
            return false;
    }
    if (type.id() == QMetaType::Bool && v.typeId() == QMetaType::QString) {
        const QString s = v.toString().toLower();
        if (s != "true" && s != "false" && s != "1" && s != "0")
            return false;
    }
    if (!o.choices.isEmpty() && !o.choices.contains(c.toString()))
        return false;
    return true;
}

QVariant Settings::value(const OptionDef& o) const
{
    const QVariant v = m_settings->value(o.key);
    if (!v.isValid() || !isValid(o, v))
        return o.defaultValue;
    // INI files store a one-element list as a plain string.
    if (o.defaultValue.typeId() == QMetaType::QStringList && v.typeId() == QMetaType::QString)
        return QStringList{v.toString()};
    QVariant c = v;
    c.convert(o.defaultValue.metaType());
    return c;
}

bool Settings::setValue(const OptionDef& o, const QVariant& v)
{
    if (!isValid(o, v))
        return false;
    QVariant c = v;
    c.convert(o.defaultValue.metaType());
    m_settings->setValue(o.key, c);
    return true;
}

void Settings::reset(const OptionDef& o) { m_settings->remove(o.key); }

QStringList Settings::recentProjects() const
{
    QStringList list = value(options::recentProjects).toStringList();
    list.removeAll(QString());
    list.removeDuplicates();
    while (list.size() > integer(options::recentProjectsMax))
        list.removeLast();
    return list;
}

void Settings::addRecentProject(const QString& path)
{
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    QStringList list = recentProjects();
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > integer(options::recentProjectsMax))
        list.removeLast();
    setValue(options::recentProjects, list);
    setValue(options::lastProject, clean);
}

void Settings::removeRecentProject(const QString& path)
{
    QStringList list = recentProjects();
    list.removeAll(QDir::cleanPath(QFileInfo(path).absoluteFilePath()));
    list.removeAll(path);
    setValue(options::recentProjects, list);
}

dw::FeatureConfig Settings::featureDefaults() const
{
    const QString json = string(options::featureDefaults);
    if (json.isEmpty())
        return {};
    auto c = dw::FeatureConfig::fromJson(json.toStdString());
    if (!c || !c->validate())
        return {};
    return *c;
}

void Settings::setFeatureDefaults(const dw::FeatureConfig& config)
{
    setValue(options::featureDefaults, QString::fromStdString(config.toJson()));
}

void Settings::sync() { m_settings->sync(); }

QString Settings::fileName() const { return m_settings->fileName(); }

} // namespace dw::gui
