// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/core/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <sstream>
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
    s << kTmpMarker << std::hex << rng();
    return s.str();
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

Result<std::string> readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("cannot read '" + path.string() + "'",
                         "check that the file exists and is readable");
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad())
        return makeError("error while reading '" + path.string() + "'");
    return s.str();
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
    const fs::path staging = target.string() + uniqueSuffix();
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

int removeStaleTemporaries(const fs::path& dir)
{
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.path().filename().string().find(kTmpMarker) != std::string::npos) {
            std::error_code rec;
            if (fs::remove_all(e.path(), rec) > 0)
                ++n;
        }
    }
    return n;
}

} // namespace dw
