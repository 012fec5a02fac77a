// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A non-modal message strip (KMessageWidget style) for errors, warnings and notices. Errors show
// what was wrong and what to do (dw::Error message + hint), never raw exception text.
// GUI thread only.

#include "dw/core/result.h"

#include <QFrame>

class QLabel;
class QToolButton;
class QTimer;

namespace dw::ui {

class MessageBar : public QFrame
{
    Q_OBJECT
public:
    enum class Level { Info, Warning, Error };

    explicit MessageBar(QWidget* parent = nullptr);

    // Shows the bar; Info messages hide themselves after a few seconds, others stay until closed.
    void showMessage(Level level, const QString& what, const QString& hint = {});
    void showError(const dw::Error& error);
    void showInfo(const QString& what) { showMessage(Level::Info, what); }
    void dismiss();

    Level level() const { return m_level; }
    QString text() const;
    QString hint() const;

Q_SIGNALS:
    void dismissed();

private:
    QLabel* m_icon = nullptr;
    QLabel* m_text = nullptr;
    QToolButton* m_close = nullptr;
    QTimer* m_autoHide = nullptr;
    Level m_level = Level::Info;
    QString m_what;
    QString m_hint;
};

} // namespace dw::ui
