// SPDX-License-Identifier: GPL-3.0-or-later
// dendrite-workbench [PROJECT_DIR]
// dendrite-workbench --screenshot DIR [--page ID] [--size WxH] [PROJECT_DIR]
#include "audio_player.h"
#include "main_window.h"
#include "settings.h"

#include "dw/ui/icons.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("dendrite-workbench");
    QApplication::setOrganizationDomain("dendrite-workbench.github.io");
    QApplication::setApplicationName("Dendrite Workbench");
    QApplication::setApplicationVersion(DW_VERSION);
    QApplication::setDesktopFileName("io.github.dendrite_workbench.DendriteWorkbench");

    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Dendrite Workbench: keyword spotting with artificial dendrites (GPL-3.0-or-later).");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("project", "Project folder to open.", "[PROJECT_DIR]");
    QCommandLineOption screenshot("screenshot",
                                  "Render every page to DIR/<page>.png and the window to "
                                  "DIR/main-window.png, then exit.",
                                  "DIR");
    QCommandLineOption page("page", "With --screenshot: render only this page id.", "ID");
    QCommandLineOption size("size", "Window size for --screenshot (default 1400x880).", "WxH",
                            "1400x880");
    QCommandLineOption settingsFile("settings",
                                    "Use this INI file for the settings (default: the user's).",
                                    "FILE");
    QCommandLineOption listSettings("help-settings", "List every setting with its default.");
    QCommandLineOption writeIcons("write-icons",
                                  "Write the app icon as DIR/app-<size>.png (16..256) and exit "
                                  "(packaging).",
                                  "DIR");
    parser.addOptions({screenshot, page, size, settingsFile, listSettings, writeIcons});
    parser.process(app);

    if (parser.isSet(writeIcons)) {
        const QDir dir(parser.value(writeIcons));
        if (!QDir().mkpath(dir.path())) {
            std::fprintf(stderr, "error: cannot create %s (choose a writable folder)\n",
                         qPrintable(dir.path()));
            return 1;
        }
        for (int s : {16, 24, 32, 48, 64, 128, 256}) {
            const QString file = dir.filePath(QStringLiteral("app-%1.png").arg(s));
            if (!dw::ui::appIconPixmap(s).save(file)) {
                std::fprintf(stderr, "error: cannot write %s\n", qPrintable(file));
                return 1;
            }
        }
        return 0;
    }

    if (parser.isSet(listSettings)) {
        for (const auto* o : dw::gui::allOptions()) {
            QString range;
            if (o->min.isValid())
                range = QStringLiteral(" [%1..%2]").arg(o->min.toString(), o->max.toString());
            if (!o->choices.isEmpty())
                range = QStringLiteral(" {%1}").arg(o->choices.join('|'));
            std::printf("%-22s default=%s%s\n    %s\n", qPrintable(o->key),
                        qPrintable(o->defaultValue.toString()), qPrintable(range),
                        qPrintable(o->description));
        }
        return 0;
    }

    const bool shots = parser.isSet(screenshot);
    // Screenshots are reproducible: they never read or write the user's settings.
    const QString iniPath = parser.isSet(settingsFile) ? parser.value(settingsFile)
                            : shots ? QDir::temp().filePath(QStringLiteral("dw-shot-%1.ini")
                                                                .arg(QApplication::applicationPid()))
                                    : QString();
    dw::gui::Settings settings = iniPath.isEmpty() ? dw::gui::Settings()
                                                   : dw::gui::Settings(iniPath);
    dw::gui::applyTheme(shots ? QString("light") : settings.string(dw::gui::options::theme));
    QApplication::setWindowIcon(dw::gui::appIcon());

    dw::gui::MainWindow window(settings);
    if (!shots)
        window.context().setPlayer(dw::gui::createAudioPlayer());

    QString project;
    if (!parser.positionalArguments().isEmpty())
        project = parser.positionalArguments().front();
    else if (!shots && settings.boolean(dw::gui::options::reopenLastProject))
        project = settings.string(dw::gui::options::lastProject);
    if (!project.isEmpty()) {
        const dw::Status s = window.openProject(project);
        if (!s && shots) {
            std::fprintf(stderr, "error: %s\n", s.error().text().c_str());
            return 2;
        }
    }

    if (shots) {
        const QStringList wh = parser.value(size).split('x');
        const int w = wh.size() == 2 ? wh[0].toInt() : 0;
        const int h = wh.size() == 2 ? wh[1].toInt() : 0;
        if (w < 400 || h < 300) {
            std::fprintf(stderr, "error: --size must be WIDTHxHEIGHT, at least 400x300\n");
            return 2;
        }
        window.resize(w, h);
        window.show();
        auto written = window.renderScreenshots(parser.value(screenshot), parser.value(page));
        QFile::remove(iniPath);
        if (!written) {
            std::fprintf(stderr, "error: %s\n", written.error().text().c_str());
            return 1;
        }
        for (const QString& f : *written)
            std::printf("%s\n", qPrintable(f));
        return 0;
    }

    window.restoreWindowState();
    window.show();
    return app.exec();
}
