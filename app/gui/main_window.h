// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The workbench's main window: a sidebar of pages (Dataset, Record, Features, Train, Runs &
// Compare, Sweeps, Export) over a QStackedWidget, the menus (File, Edit with the shared undo
// stack, View, Help), a message bar for errors (what + hint) and the project in the title.
// Pages come from the PageRegistry (page_registry.h) or addPage(). GUI thread only.

#include "app_context.h"
#include "dw/core/result.h"

#include <QIcon>
#include <QMainWindow>

#include <functional>
#include <vector>

class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;

namespace dw::ui {
class MessageBar;
}

namespace dw::gui {

class Settings;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(Settings& settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    AppContext& context() { return *m_context; }
    dw::ui::MessageBar* messageBar() const { return m_messageBar; }

    // Adds a page (or replaces the placeholder of a standard page with this id). The window
    // takes ownership of `page`. prepareScreenshot is optional (see page_registry.h).
    void addPage(const QString& id, const QString& title, const QIcon& icon, QWidget* page,
                 std::function<void(QWidget*, AppContext&)> prepareScreenshot = {});
    QStringList pageIds() const;
    QWidget* page(const QString& id) const;
    bool isPlaceholder(const QString& id) const;
    bool setCurrentPage(const QString& id);
    QString currentPageId() const;

    // Opens a project; errors go to the message bar (and are returned).
    dw::Status openProject(const QString& path);

    // Renders every page to dir/<id>.png (the page widget alone, after its prepareScreenshot
    // hook) and the whole window on the dataset page to dir/main-window.png. `only` limits it to
    // one page id. Returns the files written, or an Error.
    dw::Result<QStringList> renderScreenshots(const QString& dir, const QString& only = {});

    // Restores geometry, state and page from the settings (call before show()).
    void restoreWindowState();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    struct PageEntry {
        QString id;
        QWidget* widget = nullptr;
        bool placeholder = false;
        std::function<void(QWidget*, AppContext&)> prepare;
    };

    void buildUi();
    void buildMenus();
    void buildPages();
    void updateTitle();
    void updateRecentMenu();
    void newProject();
    void openProjectDialog();
    void importFiles();
    void importFolder();
    void startImport(const std::vector<std::filesystem::path>& paths);
    void generateDemo();
    void showAbout();
    QWidget* makePlaceholder(const QString& id, const QString& title);
    int indexOf(const QString& id) const;

    Settings& m_settings;
    AppContext* m_context = nullptr;
    QListWidget* m_sidebar = nullptr;
    QStackedWidget* m_stack = nullptr;
    dw::ui::MessageBar* m_messageBar = nullptr;
    QLabel* m_projectLabel = nullptr;
    QLabel* m_statusProject = nullptr;
    QMenu* m_recentMenu = nullptr;
    QList<QAction*> m_projectActions;
    std::vector<PageEntry> m_pages;
};

// Applies the colour theme ("light", "dark", "system") to the application.
void applyTheme(const QString& theme);
// The application icon (from resources).
QIcon appIcon();

} // namespace dw::gui
