// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One writer per project: a lock file PROJECT/.dendrite.lock holding "host pid" keeps two
// workbench windows (or a workbench and a CLI command that edits the manifest: import, record,
// check --repair) from writing the same project.json at once. The lock is created with O_EXCL;
// a lock left by a process that no longer exists on this host is taken over (renamed aside, then
// created again, so only one of several takers wins). A lock held by a live process, by another
// host, or one that cannot be read is refused with a message naming its holder. Reading a
// project (info, train, export) needs no lock.

#include "dw/core/result.h"

#include <filesystem>
#include <string>

namespace dw {

class ProjectLock
{
public:
    static Result<ProjectLock> acquire(const std::filesystem::path& projectRoot);

    ProjectLock(ProjectLock&& other) noexcept;
    ProjectLock& operator=(ProjectLock&& other) noexcept;
    ProjectLock(const ProjectLock&) = delete;
    ProjectLock& operator=(const ProjectLock&) = delete;
    ~ProjectLock(); // removes the lock file

    const std::filesystem::path& file() const { return m_file; }
    // The pid of a dead process whose lock was taken over, 0 when the lock was free.
    long tookOverFrom() const { return m_staleOwner; }

    static constexpr const char* kFileName = ".dendrite.lock";

private:
    ProjectLock() = default;
    void release();
    std::filesystem::path m_file;
    long m_staleOwner = 0;
};

} // namespace dw
