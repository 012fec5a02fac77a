// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A wait-free single-producer single-consumer ring buffer (architecture rule 2).
//
// Contract:
// - Exactly one producer thread calls push()/pushDropping(), exactly one consumer thread calls
//   pop()/readAvailable(). Either may call capacity(). reset() only while neither runs.
// - push/pop never allocate, lock, log or block: they are safe in a real-time audio callback.
// - The capacity is rounded up to a power of two; indices are free-running 64-bit counters
//   (they never wrap in practice), published with release stores and read with acquire loads.
// - When the ring is full, pushDropping() drops the samples that do not fit and adds their
//   count to overruns() (the consumer was too slow; the recording has a gap there).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

namespace dw::audio {

template <typename T> class SpscRing
{
    static_assert(std::is_trivially_copyable_v<T>, "SpscRing holds plain samples");

public:
    explicit SpscRing(size_t minCapacity = 1024) { allocate(minCapacity); }
    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    // Not thread-safe: call while no producer/consumer runs (e.g. before a stream starts).
    void allocate(size_t minCapacity)
    {
        size_t cap = 1;
        while (cap < minCapacity)
            cap <<= 1;
        m_buffer = std::make_unique<T[]>(cap);
        m_capacity = cap;
        m_mask = cap - 1;
        reset();
    }
    void reset()
    {
        m_head.store(0, std::memory_order_relaxed);
        m_tail.store(0, std::memory_order_relaxed);
        m_overruns.store(0, std::memory_order_relaxed);
    }

    size_t capacity() const { return m_capacity; }

    // Producer: copies up to n items; returns how many fit.
    size_t push(const T* data, size_t n)
    {
        const uint64_t head = m_head.load(std::memory_order_relaxed);
        const uint64_t tail = m_tail.load(std::memory_order_acquire);
        const size_t space = m_capacity - size_t(head - tail);
        const size_t count = std::min(n, space);
        copyIn(head, data, count);
        m_head.store(head + count, std::memory_order_release);
        return count;
    }
    // Producer: like push(), and counts what did not fit as overruns.
    size_t pushDropping(const T* data, size_t n)
    {
        const size_t written = push(data, n);
        if (written < n)
            m_overruns.fetch_add(n - written, std::memory_order_relaxed);
        return written;
    }
    // Producer: counts items lost before they reached the ring (e.g. a driver overflow flag).
    void addOverruns(uint64_t n) { m_overruns.fetch_add(n, std::memory_order_relaxed); }

    // Consumer: copies up to n items out; returns how many.
    size_t pop(T* out, size_t n)
    {
        const uint64_t tail = m_tail.load(std::memory_order_relaxed);
        const uint64_t head = m_head.load(std::memory_order_acquire);
        const size_t count = std::min(n, size_t(head - tail));
        copyOut(tail, out, count);
        m_tail.store(tail + count, std::memory_order_release);
        return count;
    }
    // Consumer (approximate from any other thread): items ready to pop.
    size_t readAvailable() const
    {
        return size_t(m_head.load(std::memory_order_acquire) -
                      m_tail.load(std::memory_order_relaxed));
    }
    // Items dropped because the ring was full; any thread.
    uint64_t overruns() const { return m_overruns.load(std::memory_order_relaxed); }

private:
    void copyIn(uint64_t at, const T* data, size_t n)
    {
        const size_t start = size_t(at) & m_mask;
        const size_t first = std::min(n, m_capacity - start);
        std::copy_n(data, first, m_buffer.get() + start);
        std::copy_n(data + first, n - first, m_buffer.get());
    }
    void copyOut(uint64_t at, T* out, size_t n) const
    {
        const size_t start = size_t(at) & m_mask;
        const size_t first = std::min(n, m_capacity - start);
        std::copy_n(m_buffer.get() + start, first, out);
        std::copy_n(m_buffer.get(), n - first, out + first);
    }

    std::unique_ptr<T[]> m_buffer;
    size_t m_capacity = 0;
    size_t m_mask = 0;
    // Producer and consumer indices on separate cache lines (no false sharing).
    alignas(64) std::atomic<uint64_t> m_head{0}; // written by the producer
    alignas(64) std::atomic<uint64_t> m_tail{0}; // written by the consumer
    alignas(64) std::atomic<uint64_t> m_overruns{0};
};

} // namespace dw::audio
