// SPDX-License-Identifier: GPL-3.0-or-later
// The project lock (dw/core/project_lock.h): one writer per project, stale locks of dead processes
// taken over, live or foreign ones refused with a message that names the holder.
#include "dw/core/atomic_file.h"
#include "dw/core/project_lock.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace dw;
namespace fs = std::filesystem;

namespace {

std::string host()
{
    char name[256] = {};
    ::gethostname(name, sizeof(name) - 1);
    return name[0] ? name : "localhost";
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestProjectLock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acquireHoldsAndReleases()
    {
        QTemporaryDir tmp;
        fs::path root(tmp.path().toStdString());
        {
            auto lock = ProjectLock::acquire(root);
            QVERIFY(lock.ok());
            auto text = readFile(root / ProjectLock::kFileName);
            QVERIFY(text.ok());
            QCOMPARE(*text, host() + " " + std::to_string(::getpid()) + "\n");
            QCOMPARE(lock->tookOverFrom(), 0L);
            auto again = ProjectLock::acquire(root);
            QVERIFY(!again.ok());
            QVERIFY2(contains(again.error().message, "already has the project open"),
                     again.error().message.c_str());
            // A refused attempt (above) must not have removed the holder's file.
            ProjectLock moved = std::move(*lock); // moving keeps one owner of the file
            QVERIFY(fs::exists(root / ProjectLock::kFileName));
        }
        QVERIFY(!fs::exists(root / ProjectLock::kFileName));
        QVERIFY(ProjectLock::acquire(root).ok());
    }

    void staleLockOfADeadProcessIsTakenOver()
    {
        QTemporaryDir tmp;
        fs::path root(tmp.path().toStdString());
        pid_t child = ::fork();
        if (child == 0)
            ::_exit(0);
        QVERIFY(child > 0);
        int status = 0;
        ::waitpid(child, &status, 0); // reaped: the pid no longer exists
        QVERIFY(writeFileAtomic(root / ProjectLock::kFileName,
                                host() + " " + std::to_string(child) + "\n")
                    .ok());
        auto lock = ProjectLock::acquire(root);
        QVERIFY2(lock.ok(), lock.ok() ? "" : lock.error().message.c_str());
        QCOMPARE(lock->tookOverFrom(), long(child));
        auto text = readFile(root / ProjectLock::kFileName);
        QVERIFY(text.ok() && contains(*text, std::to_string(::getpid())));
    }

    void liveForeignAndUnreadableLocksAreRefused()
    {
        QTemporaryDir tmp;
        fs::path root(tmp.path().toStdString());
        const fs::path file = root / ProjectLock::kFileName;
        pid_t child = ::fork();
        if (child == 0) {
            ::pause();
            ::_exit(0);
        }
        QVERIFY(child > 0);
        QVERIFY(writeFileAtomic(file, host() + " " + std::to_string(child) + "\n").ok());
        auto live = ProjectLock::acquire(root);
        ::kill(child, SIGKILL); // stopped by its PID
        int status = 0;
        ::waitpid(child, &status, 0);
        QVERIFY(!live.ok());
        QVERIFY2(contains(live.error().message, std::to_string(child)),
                 live.error().message.c_str());
        QVERIFY(!live.error().hint.empty());
        QVERIFY(fs::exists(file)); // a refused taker leaves the holder's lock alone

        QVERIFY(writeFileAtomic(file, "build-node-7 4242\n").ok());
        auto foreign = ProjectLock::acquire(root);
        QVERIFY(!foreign.ok());
        QVERIFY(contains(foreign.error().message, "build-node-7"));

        QVERIFY(writeFileAtomic(file, "garbage").ok());
        auto unreadable = ProjectLock::acquire(root);
        QVERIFY(!unreadable.ok());
        QVERIFY(contains(unreadable.error().message, "unreadable lock"));
        QVERIFY(contains(unreadable.error().hint, "delete"));

        auto missing = ProjectLock::acquire(root / "no-such-project");
        QVERIFY(!missing.ok());
        QVERIFY(contains(missing.error().message, "does not exist"));
    }
};

QTEST_APPLESS_MAIN(TestProjectLock)
#include "test_project_lock.moc"
