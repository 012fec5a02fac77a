// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/message_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace dw::ui {

MessageBar::MessageBar(QWidget* parent) : QFrame(parent)
{
    setObjectName("dwMessageBar");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    layout->setSpacing(10);
    m_icon = new QLabel(this);
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close = new QToolButton(this);
    m_close->setAutoRaise(true);
    m_close->setText(QStringLiteral("\u2715"));
    m_close->setToolTip(tr("Dismiss"));
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close);
    m_autoHide = new QTimer(this);
    m_autoHide->setSingleShot(true);
    connect(m_autoHide, &QTimer::timeout, this, &MessageBar::dismiss);
    connect(m_close, &QToolButton::clicked, this, &MessageBar::dismiss);
    hide();
}

void MessageBar::showMessage(Level level, const QString& what, const QString& hint)
{
    m_level = level;
    m_what = what;
    m_hint = hint;
    QString html = QStringLiteral("<b>%1</b>").arg(what.toHtmlEscaped());
    if (!hint.isEmpty())
        html += QStringLiteral("<br>%1").arg(hint.toHtmlEscaped());
    m_text->setText(html);

    QString bg, border;
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    switch (level) {
    case Level::Info:
        bg = "#e8f1fb";
        border = "#7aa7d9";
        break;
    case Level::Warning:
        bg = "#fff4dc";
        border = "#e0a526";
        icon = QStyle::SP_MessageBoxWarning;
        break;
    case Level::Error:
        bg = "#fde7e7";
        border = "#d9534f";
        icon = QStyle::SP_MessageBoxCritical;
        break;
    }
    setStyleSheet(QStringLiteral("#dwMessageBar { background: %1; border: 1px solid %2; "
                                 "border-radius: 4px; } QLabel { color: #202020; }")
                      .arg(bg, border));
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(20, 20));
    show();
    if (level == Level::Info)
        m_autoHide->start(6000);
    else
        m_autoHide->stop();
}

void MessageBar::showError(const dw::Error& error)
{
    showMessage(Level::Error, QString::fromStdString(error.message),
                QString::fromStdString(error.hint));
}

void MessageBar::dismiss()
{
    m_autoHide->stop();
    if (isHidden())
        return;
    hide();
    Q_EMIT dismissed();
}

QString MessageBar::text() const { return m_what; }
QString MessageBar::hint() const { return m_hint; }

} // namespace dw::ui
