// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/core/atomic_file.h"

#include "dw/core/names.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace dw {
namespace fs = std::filesystem;

namespace {
constexpr const char* kTmpMarker = ".tmp-dw";

std::string uniqueSuffix()
{
    static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                            static_cast<unsigned long>(::getpid())};
    std::ostringstream s;
    s << kTmpMarker << '-' << ::getpid() << '-' << std::hex << rng();
    return s.str();
}

std::string kindOf(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (!S_ISREG(mode))
        return "not a plain file";
    return {};
}

bool processAlive(long pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno != ESRCH);
}

bool isStaleTemporary(const fs::path& p)
{
    const std::string name = p.filename().string();
    if (name.find(kTmpMarker) == std::string::npos)
        return false;
    return !processAlive(temporaryOwner(name));
}

void fsyncDir(const fs::path& dir)
{
    int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}
// Creates `dir` and its missing parents (nothing to do for an empty path).
Status ensureFolder(const fs::path& dir)
{
    std::error_code ec;
    if (!dir.empty())
        fs::create_directories(dir, ec);
    if (ec)
        return makeError("cannot create folder '" + dir.string() + "': " + ec.message(),
                         "check the path and its permissions");
    return {};
}
} // namespace

Status writeFileAtomic(const fs::path& path, std::string_view bytes)
{
    const fs::path dir = path.parent_path();
    if (auto s = ensureFolder(dir); !s)
        return s;
    const fs::path tmp = path.string() + uniqueSuffix();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return makeError("cannot write '" + path.string() + "': " + std::strerror(errno),
                         "check that the folder exists and is writable");
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : ENOSPC;
            ::close(fd);
            ::unlink(tmp.c_str());
            return makeError("cannot write '" + path.string() + "': " + std::strerror(err),
                             err == ENOSPC || err == EFBIG
                                 ? "free some disk space and try again; the old file is unchanged"
                                 : "the old file is unchanged");
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return makeError("cannot write '" + path.string() + "': " + std::strerror(err),
                         "free some disk space and try again; the old file is unchanged");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return makeError("cannot replace '" + path.string() + "': " + std::strerror(err),
                         "check the folder's permissions");
    }
    fsyncDir(dir);
    return {};
}

std::string nonRegularFileKind(const fs::path& path)
{
    struct stat st
    {
    };
    if (::stat(path.c_str(), &st) != 0)
        return {};
    return kindOf(st.st_mode);
}

Result<int> openRegularFile(const fs::path& path, const std::string& what)
{
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        std::string hint = err == ENOENT ? "check the path"
                           : err == EACCES
                               ? "check the file's permissions (it must be readable by you)"
                               : "check that the file exists and is readable";
        return makeError(std::string("cannot read '") + displayPath(path) +
                             "': " + std::strerror(err),
                         std::move(hint));
    }
    struct stat st
    {
    };
    const bool statOk = ::fstat(fd, &st) == 0;
    if (!statOk || !S_ISREG(st.st_mode)) {
        const std::string kind = statOk ? kindOf(st.st_mode) : "it cannot be examined";
        ::close(fd);
        return makeError(std::string("'") + displayPath(path) + "' is not a regular file (" + kind +
                             ")",
                         "give " + what);
    }
    // Back to blocking reads (a regular file never blocks; this only tidies the flags).
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0)
        ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

Result<std::string> readFile(const fs::path& path)
{
    auto fd = openRegularFile(path, "the path of a file");
    if (!fd)
        return fd.error();
    std::string out;
    struct stat st
    {
    };
    if (::fstat(*fd, &st) == 0 && st.st_size > 0)
        out.reserve(size_t(st.st_size));
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(*fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int err = errno;
            ::close(*fd);
            return makeError(std::string("error while reading '") + displayPath(path) +
                                 "': " + std::strerror(err),
                             "check the disk; the file may be damaged");
        }
        if (n == 0)
            break;
        out.append(buf, size_t(n));
    }
    ::close(*fd);
    return out;
}

Status createFolderAtomic(const fs::path& target,
                          const std::vector<std::pair<std::string, std::string>>& files)
{
    std::error_code ec;
    if (fs::is_directory(target, ec) && !fs::is_empty(target, ec)) {
        for (const auto& [name, bytes] : files)
            if (auto s = writeFileAtomic(target / name, bytes); !s)
                return s;
        return {};
    }
    const fs::path parent = target.parent_path();
    if (auto s = ensureFolder(parent); !s)
        return s;
    const fs::path staging = temporarySibling(target);
    if (!fs::create_directory(staging, ec) || ec)
        return makeError("cannot create folder '" + target.string() +
                             "': " + (ec ? ec.message() : std::string("it already exists")),
                         "check the path and its permissions");
    auto fail = [&](Error e) -> Status {
        std::error_code ignored;
        fs::remove_all(staging, ignored);
        return e;
    };
    for (const auto& [name, bytes] : files)
        if (auto s = writeFileAtomic(staging / name, bytes); !s)
            return fail(s.error());
    // rename(2) replaces an empty folder, so a folder left by mkdir alone is taken over.
    if (::rename(staging.c_str(), target.c_str()) != 0)
        return fail(
            makeError("cannot create folder '" + target.string() + "': " + std::strerror(errno),
                      "check the path and its permissions"));
    fsyncDir(parent);
    return {};
}

fs::path temporarySibling(const fs::path& target)
{
    return target.string() + uniqueSuffix();
}

long temporaryOwner(const std::string& fileName)
{
    const std::string marker = std::string(kTmpMarker) + "-";
    const auto at = fileName.rfind(marker);
    if (at == std::string::npos)
        return 0;
    long pid = 0;
    size_t i = at + marker.size();
    for (; i < fileName.size() && fileName[i] >= '0' && fileName[i] <= '9'; ++i) {
        pid = pid * 10 + (fileName[i] - '0');
        if (pid > 1L << 31)
            return 0;
    }
    if (i == at + marker.size() || i >= fileName.size() || fileName[i] != '-')
        return 0;
    return pid;
}

int removeStaleTemporaries(const fs::path& dir)
{
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (isStaleTemporary(e.path())) {
            std::error_code rec;
            if (fs::remove_all(e.path(), rec) > 0)
                ++n;
        }
    }
    return n;
}

int countStaleTemporaries(const fs::path& dir)
{
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        n += isStaleTemporary(e.path()) ? 1 : 0;
    return n;
}

} // namespace dw
