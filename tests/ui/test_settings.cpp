// SPDX-License-Identifier: GPL-3.0-or-later
// Settings: every option defined once with a default, typed reads, range/choice validation,
// recent projects list and feature defaults.
#include "settings.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace dw;

class TestSettings : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString ini(const char* name) const { return m_tmp.filePath(name); }

private Q_SLOTS:
    void everyOptionIsDefined()
    {
        QSet<QString> keys;
        for (const auto* o : gui::allOptions()) {
            QVERIFY2(!o->key.isEmpty(), "option without key");
            QVERIFY2(!o->description.isEmpty(), qPrintable(o->key));
            QVERIFY2(o->defaultValue.isValid(), qPrintable(o->key));
            QVERIFY2(gui::Settings::isValid(*o, o->defaultValue), qPrintable(o->key));
            QVERIFY2(!keys.contains(o->key), qPrintable("duplicate key " + o->key));
            keys.insert(o->key);
        }
    }

    void validation_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QVariant>("value");
        QTest::addColumn<bool>("accepted");
        QTest::addRow("theme dark") << "ui/theme" << QVariant("dark") << true;
        QTest::addRow("theme blue") << "ui/theme" << QVariant("blue") << false;
        QTest::addRow("recent max 5") << "projects/recent_max" << QVariant(5) << true;
        QTest::addRow("recent max 0") << "projects/recent_max" << QVariant(0) << false;
        QTest::addRow("recent max 31") << "projects/recent_max" << QVariant(31) << false;
        QTest::addRow("recent max text") << "projects/recent_max" << QVariant("many") << false;
        QTest::addRow("threads 2") << "workers/threads" << QVariant(2) << true;
        QTest::addRow("threads -1") << "workers/threads" << QVariant(-1) << false;
        QTest::addRow("reopen bool") << "projects/reopen_last" << QVariant(false) << true;
    }
    void validation()
    {
        QFETCH(QString, key);
        QFETCH(QVariant, value);
        QFETCH(bool, accepted);
        const gui::OptionDef* def = nullptr;
        for (const auto* o : gui::allOptions())
            if (o->key == key)
                def = o;
        QVERIFY(def);
        gui::Settings s(ini("validation.ini"));
        s.reset(*def);
        QCOMPARE(s.setValue(*def, value), accepted);
        if (accepted)
            QCOMPARE(s.value(*def).toString(), value.toString());
        else
            QCOMPARE(s.value(*def), def->defaultValue);
    }

    void invalidValueOnDiskFallsBackToDefault()
    {
        const QString path = ini("corrupt.ini");
        {
            QSettings raw(path, QSettings::IniFormat);
            raw.setValue("ui/theme", "purple");
            raw.setValue("projects/recent_max", "-4");
        }
        gui::Settings s(path);
        QCOMPARE(s.string(gui::options::theme), QString("light"));
        QCOMPARE(s.integer(gui::options::recentProjectsMax), 10);
    }

    void recentProjects()
    {
        gui::Settings s(ini("recent.ini"));
        s.setValue(gui::options::recentProjectsMax, 3);
        for (const char* p : {"/a", "/b", "/c", "/b", "/d"})
            s.addRecentProject(p);
        QCOMPARE(s.recentProjects(), QStringList({"/d", "/b", "/c"}));
        QCOMPARE(s.string(gui::options::lastProject), QString("/d"));
        s.removeRecentProject("/b");
        QCOMPARE(s.recentProjects(), QStringList({"/d", "/c"}));
        s.sync();
        gui::Settings again(ini("recent.ini"));
        QCOMPARE(again.recentProjects(), QStringList({"/d", "/c"}));
    }

    void featureDefaults()
    {
        gui::Settings s(ini("features.ini"));
        QCOMPARE(s.featureDefaults().toJson(), FeatureConfig{}.toJson());
        FeatureConfig c;
        c.num_filters = 40;
        c.num_cepstral = 10;
        s.setFeatureDefaults(c);
        QCOMPARE(s.featureDefaults().num_filters, 40);
        // An invalid stored config is ignored rather than breaking new projects.
        s.setValue(gui::options::featureDefaults, QString("{not json"));
        QCOMPARE(s.featureDefaults().toJson(), FeatureConfig{}.toJson());
    }
};

QTEST_MAIN(TestSettings)
#include "test_settings.moc"
