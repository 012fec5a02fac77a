// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Running a program from a test (the `dendrite` CLI, srun, parallel, an exported host example):
// waits up to a time limit, and a child that outlives it is killed through its own QProcess
// handle (by its PID, never by name) before the call returns.
#include <QtCore/QProcess>
#include <QtCore/QProcessEnvironment>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace dw::test {

struct ProcessResult
{
    int code = -1;    // exit code; -1 when it did not start, crashed or timed out
    QString out, err; // standard output and error (UTF-8); err says why when code is -1
};

struct ProcessOptions
{
    int timeoutMs = 120000;
    QString workingDirectory; // empty: the test's
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
};

inline ProcessResult runProcess(const QString& program, const QStringList& args,
                                const ProcessOptions& options = {})
{
    QProcess p;
    p.setProcessEnvironment(options.environment);
    if (!options.workingDirectory.isEmpty())
        p.setWorkingDirectory(options.workingDirectory);
    p.start(program, args);
    ProcessResult r;
    if (!p.waitForStarted(10000)) {
        r.err = "could not start " + program + ": " + p.errorString();
        return r;
    }
    if (!p.waitForFinished(options.timeoutMs)) {
        p.kill(); // our own child, by its handle
        p.waitForFinished();
        r.err = QString("%1 timed out after %2 ms").arg(program).arg(options.timeoutMs);
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// The built `dendrite` CLI (DW_BIN_DIR, set by tests/CMakeLists.txt).
inline ProcessResult runDendrite(const QStringList& args, int timeoutMs = 120000)
{
    ProcessOptions o;
    o.timeoutMs = timeoutMs;
    return runProcess(QStringLiteral(DW_BIN_DIR "/dendrite"), args, o);
}

} // namespace dw::test
