// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/core/project_lock.h"

#include "dw/core/atomic_file.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>

namespace dw {

namespace fs = std::filesystem;

namespace {

std::string thisHost()
{
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) != 0 || !name[0])
        return "localhost";
    return name;
}

// Messages are assembled by streaming: GCC 12 reports a false -Werror=restrict on
// "literal" + std::string in this translation unit.
template <typename... Parts> std::string cat(const Parts&... parts)
{
    std::ostringstream out;
    (out << ... << parts);
    return out.str();
}

} // namespace

Result<ProjectLock> ProjectLock::acquire(const fs::path& projectRoot)
{
    std::error_code ec;
    if (!fs::exists(projectRoot, ec))
        return makeError(cat("the project folder '", projectRoot.string(), "' does not exist"),
                         "check the path, or create a project there first");
    if (!fs::is_directory(projectRoot, ec))
        return makeError(cat("'", projectRoot.string(), "' is not a project folder"),
                         "open a folder that contains project.json");
    ProjectLock lock; // owns the file only once we created it (a refusal removes nothing)
    const fs::path file = projectRoot / kFileName;
    const std::string host = thisHost();
    for (int attempt = 0; attempt < 3; ++attempt) {
        int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            const std::string who = cat(host, " ", ::getpid(), "\n");
            const bool ok = ::write(fd, who.data(), who.size()) == ssize_t(who.size());
            ::close(fd);
            if (!ok) {
                ::unlink(file.c_str());
                return makeError(cat("cannot write the lock file '", file.string(), "'"),
                                 "check free disk space and permissions of the project folder");
            }
            lock.m_file = file;
            return lock;
        }
        if (errno != EEXIST)
            return makeError(
                cat("cannot create the lock file '", file.string(), "': ", std::strerror(errno)),
                "check that the project folder is writable");
        auto text = readFile(file);
        if (!text)
            continue; // released meanwhile: try again
        std::istringstream in(*text);
        std::string holderHost;
        long pid = 0;
        if (!(in >> holderHost >> pid) || pid <= 0)
            return makeError(cat("the project has an unreadable lock file '", file.string(), "'"),
                             "if no Dendrite Workbench or dendrite command is using this project, "
                             "delete that file and try again");
        if (holderHost != host)
            return makeError(
                cat("the project is in use by process ", pid, " on host '", holderHost, "'"),
                cat("close it there first; if that machine crashed, delete ", file.string()));
        if (pid == long(::getpid()))
            return makeError("this program already has the project open",
                             "use the window that has it open");
        if (::kill(pid_t(pid), 0) == 0 || errno != ESRCH)
            return makeError(cat("the project is in use by another Dendrite Workbench or "
                                 "dendrite command (process ",
                                 pid, ")"),
                             "close that window or wait for the command to finish, then retry");
        // The holder is gone: move its lock aside (one taker wins the rename) and retry.
        const fs::path aside = cat(file.string(), ".stale-", pid, "-", ::getpid());
        if (::rename(file.c_str(), aside.c_str()) == 0) {
            ::unlink(aside.c_str());
            lock.m_staleOwner = pid;
        }
    }
    return makeError(cat("could not take the project lock '", file.string(), "'"),
                     "another process keeps taking it; retry in a moment");
}

std::optional<ProjectLock::Holder> ProjectLock::holder(const fs::path& projectRoot)
{
    const fs::path file = projectRoot / kFileName;
    std::error_code ec;
    if (!fs::exists(file, ec))
        return std::nullopt;
    Holder h;
    // A lock file is created empty and then written: a reader may see it in between.
    for (int attempt = 0;; ++attempt) {
        auto text = readFile(file);
        if (!text && !fs::exists(file, ec))
            return std::nullopt; // released meanwhile
        std::istringstream in(text ? *text : std::string());
        if (in >> h.host >> h.pid && h.pid > 0)
            break;
        if (attempt == 20)
            return Holder{};
        ::usleep(5000);
    }
    if (h.host != thisHost())
        return h;
    h.local = true;
    h.thisProcess = h.pid == long(::getpid());
    if (!h.thisProcess && ::kill(pid_t(h.pid), 0) != 0 && errno == ESRCH)
        return std::nullopt; // a stale lock of a dead process
    return h;
}

ProjectLock::ProjectLock(ProjectLock&& other) noexcept
    : m_file(std::move(other.m_file)), m_staleOwner(other.m_staleOwner)
{
    other.m_file.clear();
}

ProjectLock& ProjectLock::operator=(ProjectLock&& other) noexcept
{
    if (this != &other) {
        release();
        m_file = std::move(other.m_file);
        m_staleOwner = other.m_staleOwner;
        other.m_file.clear();
    }
    return *this;
}

ProjectLock::~ProjectLock()
{
    release();
}

void ProjectLock::release()
{
    if (m_file.empty())
        return;
    // Only remove a lock that is still ours (never one a taker created after declaring us dead).
    auto text = readFile(m_file);
    std::istringstream in(text ? *text : std::string());
    std::string host;
    long pid = 0;
    if (in >> host >> pid && pid == long(::getpid()))
        ::unlink(m_file.c_str());
    m_file.clear();
}

} // namespace dw
