// SpinLock: the lock around ProcessAllocator, whose critical sections last
// tens of nanoseconds. Taking it is one atomic exchange; dropping it is a
// plain release store. std::mutex's unlock is a second atomic read-modify-
// write (it must learn whether to wake a sleeper), and inside Node, where the
// store buffer is full of the engine's writes, each such instruction waits
// about 12 ns for it to drain: lock + unlock were 22% of an alloc+free pair
// (perf, Node 20). A waiter spins on a plain load, then yields its time slice
// so that a holder preempted on a busy machine gets to finish; no waiter ever
// sleeps, which is what lets unlock skip the wake-up check. No holder makes a
// system call (ProcessAllocator maps and unmaps with the lock dropped), so
// waiters rarely get past spinning.
#pragma once

#include <atomic>
#include <thread>
#if defined(_MSC_VER)
#include <intrin.h>
#endif

namespace poolmem {

class SpinLock {
 public:
  void lock() {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      for (int spins = 0; locked_.load(std::memory_order_relaxed); ++spins) {
        if (spins < kSpins) {
          Pause();
        } else {
          std::this_thread::yield();
        }
      }
    }
  }

  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  static constexpr int kSpins = 100;  // about a critical section's length at a few ns per pause

  static void Pause() {
#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    _mm_pause();
#elif defined(_MSC_VER) && defined(_M_ARM64)
    __yield();
#elif defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  // Its own cache line: no neighbour's writes steal it between lock and unlock.
  alignas(64) std::atomic<bool> locked_{false};
};

}  // namespace poolmem
