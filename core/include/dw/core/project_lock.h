// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One writer per project: a lock file PROJECT/.dendrite.lock holding "host pid" keeps two
// workbench windows (or a workbench and a CLI command that edits the manifest: import, record,
// check --repair) from writing the same project.json at once. The lock is created with O_EXCL;
// a lock left by a process that no longer exists on this host is taken over (renamed aside, then
// created again, so only one of several takers wins). A lock held by a live process, by another
// host, or one that cannot be read is refused with a message naming its holder.
//
// Readers (info, check without --repair, train, export, the GUI's worker threads) take no lock
// and never change or delete anything in the project: Project::open() removes stale temporaries
// only when it is given the caller's ProjectLock (issue 18: `dendrite info` beside an import used
// to delete the import's temporary files). A reader can ask holder() whether a live writer is at
// work, e.g. `dendrite check` then reports "in use by process N" instead of the writer's
// half-done state. Even the lock holder leaves alone a temporary whose writer process (its pid is
// in the name, see atomic_file.h) is alive: `dendrite train` writes runs/ without the lock.

#include "dw/core/result.h"

#include <filesystem>
#include <optional>
#include <string>

namespace dw {

class ProjectLock
{
public:
    static Result<ProjectLock> acquire(const std::filesystem::path& projectRoot);

    // Who holds the project's lock, without taking it or changing anything: nullopt when nobody
    // does (no lock file, or its holder on this host is gone). pid is 0 for an unreadable lock.
    struct Holder
    {
        long pid = 0;
        std::string host;
        bool local = false;       // on this host (so pid is checked alive)
        bool thisProcess = false; // this program holds it (e.g. the workbench's own window)
    };
    static std::optional<Holder> holder(const std::filesystem::path& projectRoot);

    // The project folder this lock is for.
    std::filesystem::path projectRoot() const { return m_file.parent_path(); }

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
