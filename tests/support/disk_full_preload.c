/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A disk that fills up, for tests (LD_PRELOAD=libdw_disk_full.so): once the bytes written to
 * regular files reach DW_TEST_DISK_BYTES, write/writev/pwrite fail with ENOSPC, the way a full
 * file system answers (a write that crosses the line is cut short first). Pipes, terminals and
 * sockets (stdout, stderr) are not counted and never fail. Unset: the calls pass through.
 * No root and no small file system needed, and the moment of the failure is exact, so a test can
 * fail the N-th clip of an import or only the manifest written after all clips. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_llong g_used;

/* Bytes still allowed for a write of `want` bytes to fd: want itself when not limited, 0 when
 * the disk is full (the caller then fails with ENOSPC). */
static size_t allowed(int fd, size_t want)
{
    const char* limit = getenv("DW_TEST_DISK_BYTES");
    struct stat st;
    if (!limit || !*limit || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return want;
    const long long cap = atoll(limit);
    const long long used = atomic_load(&g_used);
    const long long left = cap > used ? cap - used : 0;
    const size_t n = (long long)want < left ? want : (size_t)left;
    atomic_fetch_add(&g_used, (long long)n);
    return n;
}

static ssize_t realWrite(int fd, const void* buf, size_t count)
{
    static ssize_t (*real)(int, const void*, size_t);
    if (!real)
        real = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
    return real(fd, buf, count);
}

ssize_t write(int fd, const void* buf, size_t count)
{
    const size_t n = allowed(fd, count);
    if (n == 0 && count > 0) {
        errno = ENOSPC;
        return -1;
    }
    return realWrite(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset)
{
    static ssize_t (*real)(int, const void*, size_t, off_t);
    if (!real)
        real = (ssize_t(*)(int, const void*, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    const size_t n = allowed(fd, count);
    if (n == 0 && count > 0) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, buf, n, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt)
{
    static ssize_t (*real)(int, const struct iovec*, int);
    if (!real)
        real = (ssize_t(*)(int, const struct iovec*, int))dlsym(RTLD_NEXT, "writev");
    size_t total = 0;
    for (int i = 0; i < iovcnt; ++i)
        total += iov[i].iov_len;
    const size_t n = allowed(fd, total);
    if (n == total)
        return real(fd, iov, iovcnt);
    if (n == 0) {
        errno = ENOSPC;
        return -1;
    }
    /* Cut short: write the first n bytes only, as a short write. */
    size_t done = 0;
    for (int i = 0; i < iovcnt && done < n; ++i) {
        size_t part = iov[i].iov_len < n - done ? iov[i].iov_len : n - done;
        ssize_t w = realWrite(fd, iov[i].iov_base, part);
        if (w < 0)
            return done > 0 ? (ssize_t)done : -1;
        done += (size_t)w;
    }
    return (ssize_t)done;
}
