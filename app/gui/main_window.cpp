// SPDX-License-Identifier: GPL-3.0-or-later
#include "main_window.h"

#include "page_registry.h"
#include "settings.h"
#include "workers.h"

#include "dw/audio/demo_data.h"
#include "dw/ui/icons.h"
#include "dw/ui/message_bar.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPalette>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyleFactory>
#include <QUndoStack>
#include <QVBoxLayout>

namespace dw::gui {

namespace {

QString pageDescription(const QString& id)
{
    if (id == "record")
        return QObject::tr("Record keyword clips from a microphone: device picker, level meter, "
                           "countdown, continuous sessions split into 1 s clips.");
    if (id == "features")
        return QObject::tr("MFCC settings with a live preview, and feature computation for the "
                           "whole dataset.");
    if (id == "train")
        return QObject::tr("Train traditional and dendritic models and watch neuron and dendrite "
                           "phases alternate live.");
    if (id == "runs")
        return QObject::tr("Every training run of the project, reopenable, and side-by-side "
                           "comparison of accuracy, parameters and confusion matrices.");
    if (id == "sweeps")
        return QObject::tr("Hyper-parameter sweeps over architectures and dendrite settings, run "
                           "locally or on a cluster.");
    if (id == "export")
        return QObject::tr("Export a trained model as a C header with the portable runtime, "
                           "with flash, RAM and accuracy of the exported model.");
    return {};
}

// A registered icon path that loads, else the drawn icon of the page id.
QIcon pageIconFor(const PageSpec& spec)
{
    if (!spec.icon.isEmpty()) {
        QIcon icon(spec.icon);
        if (!icon.isNull() && !icon.availableSizes().isEmpty())
            return icon;
    }
    return dw::ui::pageIcon(spec.id);
}

} // namespace

QIcon appIcon()
{
    return dw::ui::appIcon();
}

void applyTheme(const QString& theme)
{
    QApplication::setStyle(QStyleFactory::create("Fusion"));
    if (theme == "system") {
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    }
    QPalette p;
    if (theme == "dark") {
        p.setColor(QPalette::Window, QColor(0x2b, 0x2f, 0x36));
        p.setColor(QPalette::WindowText, QColor(0xe6, 0xe8, 0xeb));
        p.setColor(QPalette::Base, QColor(0x22, 0x25, 0x2b));
        p.setColor(QPalette::AlternateBase, QColor(0x2b, 0x2f, 0x36));
        p.setColor(QPalette::Text, QColor(0xe6, 0xe8, 0xeb));
        p.setColor(QPalette::Button, QColor(0x35, 0x3a, 0x42));
        p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe8, 0xeb));
        p.setColor(QPalette::ToolTipBase, QColor(0x35, 0x3a, 0x42));
        p.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe8, 0xeb));
        p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x99));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x70, 0x75, 0x7d));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x70, 0x75, 0x7d));
    } else {
        p.setColor(QPalette::Window, QColor(0xf3, 0xf5, 0xf8));
        p.setColor(QPalette::WindowText, QColor(0x1f, 0x2d, 0x3d));
        p.setColor(QPalette::Base, Qt::white);
        p.setColor(QPalette::AlternateBase, QColor(0xf6, 0xf8, 0xfa));
        p.setColor(QPalette::Text, QColor(0x1f, 0x2d, 0x3d));
        p.setColor(QPalette::Button, QColor(0xfb, 0xfc, 0xfd));
        p.setColor(QPalette::ButtonText, QColor(0x1f, 0x2d, 0x3d));
        p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xf4));
        p.setColor(QPalette::ToolTipText, QColor(0x20, 0x20, 0x20));
        p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x99));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0xa0, 0xa6, 0xad));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0xa0, 0xa6, 0xad));
    }
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xb3));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x2f, 0x6f, 0xb3));
    QApplication::setPalette(p);
}

MainWindow::MainWindow(Settings& settings, QWidget* parent)
    : QMainWindow(parent), m_settings(settings)
{
    m_context = new AppContext(settings, this);
    setWindowIcon(appIcon());
    buildUi();
    buildMenus();
    buildPages();
    connect(m_context, &AppContext::projectChanged, this, &MainWindow::updateTitle);
    connect(m_context, &AppContext::projectModified, this, &MainWindow::updateTitle);
    connect(m_context, &AppContext::errorReported, m_messageBar, &dw::ui::MessageBar::showError);
    connect(m_context, &AppContext::warningReported, m_messageBar,
            [this](const QString& what, const QString& hint) {
                m_messageBar->showMessage(dw::ui::MessageBar::Level::Warning, what, hint);
            });
    connect(m_context, &AppContext::infoReported, m_messageBar, &dw::ui::MessageBar::showInfo);
    updateTitle();
    resize(1400, 880);
}

MainWindow::~MainWindow()
{
    // Pages may hold pointers into the context's project: delete them first.
    for (auto& p : m_pages)
        delete p.widget;
    m_pages.clear();
}

void MainWindow::buildUi()
{
    auto* central = new QWidget(this);
    auto* row = new QHBoxLayout(central);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(0);

    auto* side = new QWidget(central);
    side->setObjectName("dwSidebar");
    side->setFixedWidth(200);
    side->setStyleSheet(
        "#dwSidebar { background: #1d2733; }"
        "#dwSidebar QLabel { color: #e8edf3; }"
        "#dwSidebar QListWidget { background: transparent; border: none; color: #c9d2dc; "
        "  font-size: 10.5pt; outline: 0; }"
        "#dwSidebar QListWidget::item { padding: 9px 10px; border-left: 3px solid transparent; }"
        "#dwSidebar QListWidget::item:hover { background: #263241; }"
        "#dwSidebar QListWidget::item:selected { background: #2c3b4d; color: white; "
        "  border-left: 3px solid #4da3ff; }");
    auto* sl = new QVBoxLayout(side);
    sl->setContentsMargins(0, 14, 0, 10);
    sl->setSpacing(4);
    auto* brand = new QHBoxLayout;
    brand->setContentsMargins(14, 0, 10, 0);
    auto* logo = new QLabel(side);
    logo->setPixmap(appIcon().pixmap(30, 30));
    brand->addWidget(logo);
    auto* name =
        new QLabel(tr("<b>Dendrite</b><br><span style='color:#9fb0c3'>Workbench</span>"), side);
    brand->addWidget(name, 1);
    sl->addLayout(brand);
    m_projectLabel = new QLabel(side);
    m_projectLabel->setWordWrap(true);
    m_projectLabel->setContentsMargins(16, 10, 10, 8);
    m_projectLabel->setStyleSheet("color: #9fb0c3; font-size: 9pt;");
    sl->addWidget(m_projectLabel);
    m_sidebar = new QListWidget(side);
    m_sidebar->setIconSize(QSize(18, 18));
    m_sidebar->setFocusPolicy(Qt::NoFocus);
    m_sidebar->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    sl->addWidget(m_sidebar, 1);
    auto* version = new QLabel(tr("v%1 \u00b7 GPL-3.0-or-later").arg(DW_VERSION), side);
    version->setContentsMargins(16, 0, 0, 0);
    version->setStyleSheet("color: #6f8093; font-size: 8pt;");
    sl->addWidget(version);
    row->addWidget(side);

    auto* right = new QWidget(central);
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->setSpacing(0);
    m_messageBar = new dw::ui::MessageBar(right);
    auto* barHolder = new QHBoxLayout;
    barHolder->setContentsMargins(16, 10, 16, 0);
    barHolder->addWidget(m_messageBar);
    rl->addLayout(barHolder);
    m_stack = new QStackedWidget(right);
    rl->addWidget(m_stack, 1);
    row->addWidget(right, 1);
    setCentralWidget(central);

    connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_statusProject = new QLabel(this);
    statusBar()->addWidget(m_statusProject, 1);
    statusBar()->setSizeGripEnabled(true);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    auto* newProject = file->addAction(tr("&New project\u2026"), this, &MainWindow::newProject);
    newProject->setShortcut(QKeySequence::New);
    auto* open = file->addAction(tr("&Open project\u2026"), this, &MainWindow::openProjectDialog);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Recent projects"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::updateRecentMenu);
    file->addSeparator();
    auto* importFiles = file->addAction(tr("&Import files\u2026"), this, &MainWindow::importFiles);
    importFiles->setShortcut(QKeySequence(tr("Ctrl+I")));
    auto* importFolder =
        file->addAction(tr("Import &folder\u2026"), this, &MainWindow::importFolder);
    importFolder->setShortcut(QKeySequence(tr("Ctrl+Shift+I")));
    auto* demo =
        file->addAction(tr("&Generate demo dataset\u2026"), this, &MainWindow::generateDemo);
    file->addSeparator();
    auto* close =
        file->addAction(tr("&Close project"), this, [this] { m_context->closeProject(); });
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    m_projectActions = {importFiles, importFolder, close};

    m_context->registerAction("new-project", newProject);
    m_context->registerAction("open-project", open);
    m_context->registerAction("import-files", importFiles);
    m_context->registerAction("import-folder", importFolder);
    m_context->registerAction("generate-demo", demo);
    m_context->registerAction("close-project", close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_context->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_context->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    m_context->registerAction("undo", undo);
    m_context->registerAction("redo", redo);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName("viewMenu");
    auto* sidebar = view->addAction(tr("Show &sidebar"));
    sidebar->setCheckable(true);
    sidebar->setChecked(true);
    connect(sidebar, &QAction::toggled, this,
            [this](bool on) { m_sidebar->parentWidget()->setVisible(on); });
    QMenu* themes = view->addMenu(tr("&Theme"));
    auto* group = new QActionGroup(this);
    const QString current = m_settings.string(options::theme);
    for (const auto& [id, title] :
         {std::pair{QString("light"), tr("Light")}, std::pair{QString("dark"), tr("Dark")},
          std::pair{QString("system"), tr("System")}}) {
        QAction* a = themes->addAction(title);
        a->setCheckable(true);
        a->setChecked(id == current);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, id = id] {
            m_settings.setValue(options::theme, id);
            applyTheme(id);
        });
    }
    auto* full = view->addAction(tr("&Full screen"));
    full->setShortcut(QKeySequence::FullScreen);
    connect(full, &QAction::triggered, this,
            [this] { isFullScreen() ? showNormal() : showFullScreen(); });
    view->addSeparator();

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Dendrite Workbench"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::buildPages()
{
    // Standard pages first, in their fixed order (placeholders where nobody registered one),
    // then any other registered page.
    for (const QString& id : standardPageIds()) {
        if (const PageSpec* spec = PageRegistry::find(id); spec && spec->create)
            addPage(spec->id, spec->title, pageIconFor(*spec), spec->create(*m_context),
                    spec->prepareScreenshot);
        else
            addPage(id, standardPageTitle(id), dw::ui::pageIcon(id),
                    makePlaceholder(id, standardPageTitle(id)));
        m_pages.back().placeholder = !PageRegistry::find(id);
    }
    for (const PageSpec& spec : PageRegistry::all())
        if (indexOf(spec.id) < 0 && spec.create)
            addPage(spec.id, spec.title, pageIconFor(spec), spec.create(*m_context),
                    spec.prepareScreenshot);
    m_sidebar->setCurrentRow(0);

    QMenu* view = menuBar()->findChild<QMenu*>("viewMenu");
    int n = 1;
    for (const auto& p : m_pages) {
        QAction* a = view->addAction(m_sidebar->item(indexOf(p.id))->text());
        if (n <= 9)
            a->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(n++)));
        connect(a, &QAction::triggered, this, [this, id = p.id] { setCurrentPage(id); });
    }
}

QWidget* MainWindow::makePlaceholder(const QString& id, const QString& title)
{
    auto* w = new QWidget;
    auto* l = new QVBoxLayout(w);
    l->addStretch(2);
    auto* icon = new QLabel(w);
    icon->setPixmap(dw::ui::pageIcon(id, QColor("#8a9099")).pixmap(56, 56));
    icon->setAlignment(Qt::AlignCenter);
    l->addWidget(icon);
    auto* t = new QLabel(QStringLiteral("<h2 style='color:#1f2d3d'>%1</h2>").arg(title), w);
    t->setAlignment(Qt::AlignCenter);
    l->addWidget(t);
    auto* d = new QLabel(pageDescription(id) + "<br><br>" +
                             tr("<span style='color:#8a9099'>This page is not part of this "
                                "build yet.</span>"),
                         w);
    d->setWordWrap(true);
    d->setAlignment(Qt::AlignCenter);
    d->setStyleSheet("color: #5a6270;");
    d->setMaximumWidth(520);
    auto* centre = new QHBoxLayout;
    centre->addStretch();
    centre->addWidget(d);
    centre->addStretch();
    l->addLayout(centre);
    l->addStretch(3);
    w->setObjectName("placeholder-" + id);
    return w;
}

void MainWindow::addPage(const QString& id, const QString& title, const QIcon& icon, QWidget* page,
                         std::function<void(QWidget*, AppContext&)> prepare)
{
    if (!page)
        page = makePlaceholder(id, title);
    const QIcon shown = icon.isNull() ? dw::ui::pageIcon(id) : icon;
    const int existing = indexOf(id);
    if (existing >= 0) {
        QWidget* old = m_pages[size_t(existing)].widget;
        m_stack->insertWidget(existing, page);
        m_stack->removeWidget(old);
        delete old;
        m_pages[size_t(existing)] = PageEntry{id, page, false, std::move(prepare)};
        m_sidebar->item(existing)->setText(title);
        m_sidebar->item(existing)->setIcon(shown);
        return;
    }
    m_stack->addWidget(page);
    auto* item = new QListWidgetItem(shown, title, m_sidebar);
    item->setData(Qt::UserRole, id);
    m_pages.push_back(PageEntry{id, page, false, std::move(prepare)});
}

QStringList MainWindow::pageIds() const
{
    QStringList ids;
    for (const auto& p : m_pages)
        ids << p.id;
    return ids;
}

int MainWindow::indexOf(const QString& id) const
{
    for (size_t i = 0; i < m_pages.size(); ++i)
        if (m_pages[i].id == id)
            return int(i);
    return -1;
}

QWidget* MainWindow::page(const QString& id) const
{
    const int i = indexOf(id);
    return i < 0 ? nullptr : m_pages[size_t(i)].widget;
}

bool MainWindow::isPlaceholder(const QString& id) const
{
    const int i = indexOf(id);
    return i >= 0 && m_pages[size_t(i)].placeholder;
}

bool MainWindow::setCurrentPage(const QString& id)
{
    const int i = indexOf(id);
    if (i < 0)
        return false;
    m_sidebar->setCurrentRow(i);
    return true;
}

QString MainWindow::currentPageId() const
{
    const int i = m_stack->currentIndex();
    return i < 0 ? QString() : m_pages[size_t(i)].id;
}

void MainWindow::updateTitle()
{
    const dw::Project* p = m_context->project();
    if (!p) {
        setWindowTitle(tr("Dendrite Workbench"));
        m_projectLabel->setText(tr("No project open"));
        m_statusProject->setText(tr("Open or create a project (File menu)"));
    } else {
        const QString name = m_context->projectName();
        setWindowTitle(tr("%1 \u2014 Dendrite Workbench").arg(name));
        m_projectLabel->setText(tr("PROJECT<br><span style='color:#e8edf3; font-size:10.5pt'>"
                                   "<b>%1</b></span>")
                                    .arg(name.toHtmlEscaped()));
        m_statusProject->setText(tr("%1 \u00b7 %n clip(s)", nullptr, int(p->clips().size()))
                                     .arg(QString::fromStdString(p->root().string())));
    }
    for (QAction* a : m_projectActions)
        a->setEnabled(p != nullptr);
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = m_settings.recentProjects();
    if (recent.isEmpty()) {
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
        return;
    }
    for (const QString& path : recent)
        m_recentMenu->addAction(path, this, [this, path] {
            if (!openProject(path).ok())
                m_settings.removeRecentProject(path);
        });
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear list"), this, [this] {
        m_settings.setValue(options::recentProjects, QStringList{});
    });
}

dw::Status MainWindow::openProject(const QString& path)
{
    const dw::Status s = m_context->openProject(path.toStdString());
    if (!s)
        m_messageBar->showError(s.error());
    else if (m_messageBar->level() == dw::ui::MessageBar::Level::Error)
        m_messageBar->dismiss();
    return s;
}

void MainWindow::newProject()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Choose an empty folder for the new project"), QDir::homePath());
    if (dir.isEmpty())
        return;
    bool ok = false;
    const QString labels = QInputDialog::getText(
        this, tr("New project"),
        tr("Labels, separated by commas (keywords, plus 'noise' and 'unknown' as in Edge "
           "Impulse's tutorial):"),
        QLineEdit::Normal, "yes, no, noise, unknown", &ok);
    if (!ok)
        return;
    std::vector<std::string> list;
    for (const QString& l : labels.split(',', Qt::SkipEmptyParts))
        if (!l.trimmed().isEmpty())
            list.push_back(l.trimmed().toStdString());
    if (const dw::Status s = m_context->createProject(dir.toStdString(), list); !s)
        m_messageBar->showError(s.error());
    else
        m_messageBar->showInfo(tr("Created project %1").arg(m_context->projectName()));
}

void MainWindow::openProjectDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open project folder"),
                                                          m_settings.string(options::lastProject));
    if (!dir.isEmpty())
        openProject(dir);
}

void MainWindow::importFiles()
{
    if (!m_context->hasProject())
        return;
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Import audio files"), QDir::homePath(),
        tr("Audio files (*.wav *.flac *.ogg *.aiff *.aif *.au);;All files (*)"));
    std::vector<std::filesystem::path> paths;
    for (const QString& f : files)
        paths.emplace_back(f.toStdString());
    if (!paths.empty())
        startImport(paths);
}

void MainWindow::importFolder()
{
    if (!m_context->hasProject())
        return;
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Import a folder (a folder per label, or Speech Commands)"), QDir::homePath());
    if (!dir.isEmpty())
        startImport({std::filesystem::path(dir.toStdString())});
}

void MainWindow::startImport(const std::vector<std::filesystem::path>& paths)
{
    const std::filesystem::path root = m_context->project()->root();
    auto report = std::make_shared<QString>();
    runWithProgress(
        this, tr("Importing"),
        [root, paths, report](JobControl& c) { return importJob(root, paths, *report, c); },
        [this, report](const dw::Status& s) {
            // The job wrote through its own Project: re-read it even after a failure.
            if (const dw::Status r = m_context->reloadProject(); !r)
                m_messageBar->showError(r.error());
            if (!s) {
                m_messageBar->showError(s.error());
                return;
            }
            QDialog dialog(this);
            dialog.setWindowTitle(tr("Import report"));
            auto* l = new QVBoxLayout(&dialog);
            auto* text = new QPlainTextEdit(*report, &dialog);
            text->setReadOnly(true);
            text->setMinimumSize(620, 360);
            l->addWidget(text);
            auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
            connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
            l->addWidget(buttons);
            dialog.exec();
            m_messageBar->showInfo(tr("Import finished"));
        });
}

void MainWindow::generateDemo()
{
    const QString parent = QFileDialog::getExistingDirectory(
        this, tr("Choose where to create the demo project"), QDir::homePath());
    if (parent.isEmpty())
        return;
    // Folder name and, optionally, the user's own keywords (Edge Impulse-style synthetic keyword
    // data): empty keeps the 12-class demo; "hello world" gives the paper's 3-class task.
    QDialog ask(this);
    ask.setWindowTitle(tr("Generate demo dataset"));
    auto* form = new QFormLayout(&ask);
    auto* nameEdit = new QLineEdit(QStringLiteral("kws-demo"), &ask);
    auto* keywordsEdit = new QLineEdit(&ask);
    keywordsEdit->setObjectName(QStringLiteral("demoKeywords"));
    keywordsEdit->setPlaceholderText(tr("empty: the 12-class demo (yes, no, up, down, ...)"));
    keywordsEdit->setToolTip(
        tr("Comma-separated keywords to synthesise, e.g. \"hello world\" (3 classes with "
           "unknown and noise, the paper's task) or \"on, off\". Letters, spaces, hyphens "
           "and apostrophes."));
    auto* problem = new QLabel(&ask);
    problem->setStyleSheet(QStringLiteral("color: #b00020"));
    problem->setWordWrap(true);
    problem->hide();
    form->addRow(tr("Project folder name:"), nameEdit);
    form->addRow(tr("Keywords:"), keywordsEdit);
    form->addRow(problem);
    auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &ask);
    form->addRow(box);
    std::vector<std::string> keywords;
    connect(box, &QDialogButtonBox::rejected, &ask, &QDialog::reject);
    connect(box, &QDialogButtonBox::accepted, &ask, [&] {
        keywords.clear();
        if (nameEdit->text().trimmed().isEmpty()) {
            problem->setText(tr("Give the project folder a name."));
            problem->show();
            return;
        }
        if (!keywordsEdit->text().trimmed().isEmpty()) {
            auto k = dw::audio::parseKeywords(keywordsEdit->text().toStdString());
            if (!k) {
                problem->setText(QString::fromStdString(k.error().text()));
                problem->show();
                return;
            }
            keywords = *k;
        }
        ask.accept();
    });
    if (ask.exec() != QDialog::Accepted)
        return;
    const QString name = nameEdit->text();
    const QString out = QDir(parent).filePath(name.trimmed());
    if (QFileInfo::exists(out) && !QDir(out).isEmpty()) {
        m_messageBar->showError(dw::makeError(
            QStringLiteral("'%1' already exists and is not empty").arg(out).toStdString(),
            "choose another name, or open it with File > Open project"));
        return;
    }
    const int seed = m_settings.integer(options::demoSeed);
    runWithProgress(
        this, tr("Generating the demo dataset"),
        [out, seed, keywords](JobControl& c) {
            return demoDataJob(out.toStdString(), seed, keywords, c);
        },
        [this, out](const dw::Status& s) {
            if (!s) {
                m_messageBar->showError(s.error());
                return;
            }
            if (openProject(out).ok())
                m_messageBar->showInfo(tr("Demo dataset ready: %1").arg(out));
        });
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setWindowTitle(tr("About Dendrite Workbench"));
    box.setIconPixmap(appIcon().pixmap(64, 64));
    box.setTextFormat(Qt::RichText);
    box.setText(tr("<h3>Dendrite Workbench %1</h3>"
                   "<p>A desktop workbench for keyword spotting with artificial dendrites "
                   "(Perforated Backpropagation): record and label keyword clips, train "
                   "traditional and dendritic models, compare them and export C headers for "
                   "boards.</p>"
                   "<p>This program is free software: you can redistribute it and/or modify it "
                   "under the terms of the GNU General Public License as published by the Free "
                   "Software Foundation, either version 3 of the License, or (at your option) "
                   "any later version (GPL-3.0-or-later). It comes with ABSOLUTELY NO "
                   "WARRANTY.</p><p>Uses Qt, QCustomPlot (GPL-3.0), LibTorch, PortAudio, "
                   "libsndfile and libsamplerate.</p>")
                    .arg(DW_VERSION));
    box.exec();
}

void MainWindow::restoreWindowState()
{
    const QByteArray geometry = m_settings.bytes(options::windowGeometry);
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    const QByteArray state = m_settings.bytes(options::windowState);
    if (!state.isEmpty())
        restoreState(state);
    setCurrentPage(m_settings.string(options::currentPage));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_settings.setValue(options::windowGeometry, saveGeometry());
    m_settings.setValue(options::windowState, saveState());
    m_settings.setValue(options::currentPage, currentPageId());
    m_settings.sync();
    event->accept();
}

dw::Result<QStringList> MainWindow::renderScreenshots(const QString& dir, const QString& only)
{
    if (!QDir().mkpath(dir))
        return dw::makeError(
            QStringLiteral("cannot create the screenshot folder '%1'").arg(dir).toStdString(),
            "choose a writable folder");
    if (!only.isEmpty() && indexOf(only) < 0)
        return dw::makeError(
            QStringLiteral("there is no page '%1'").arg(only).toStdString(),
            QStringLiteral("use one of: %1").arg(pageIds().join(", ")).toStdString());
    QStringList written;
    auto settle = [] {
        for (int i = 0; i < 5; ++i)
            QApplication::processEvents();
    };
    const QString start = currentPageId();
    for (const auto& p : m_pages) {
        if (!only.isEmpty() && p.id != only)
            continue;
        setCurrentPage(p.id);
        settle();
        if (p.prepare)
            p.prepare(p.widget, *m_context);
        settle();
        const QString file = QDir(dir).filePath(p.id + ".png");
        if (!p.widget->grab().save(file))
            return dw::makeError(QStringLiteral("cannot write '%1'").arg(file).toStdString(),
                                 "check that the folder is writable and the disk not full");
        written << file;
    }
    if (only.isEmpty() || only == "dataset") {
        setCurrentPage(indexOf("dataset") >= 0 ? "dataset" : start);
        settle();
        const QString file = QDir(dir).filePath("main-window.png");
        if (!grab().save(file))
            return dw::makeError(QStringLiteral("cannot write '%1'").arg(file).toStdString(),
                                 "check that the folder is writable and the disk not full");
        written << file;
    }
    setCurrentPage(start);
    return written;
}

} // namespace dw::gui
