// MappedRegion over the OS's anonymous memory: mmap / madvise / munmap on
// Linux and macOS, VirtualAlloc / VirtualFree on Windows.
#include "os/os_memory.h"

#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <atomic>

namespace poolmem {

namespace {
std::atomic<int64_t> g_live_regions{0};
std::atomic<MappedRegion::SyscallHook> g_syscall_hook{nullptr};

void RunSyscallHook() {
  if (MappedRegion::SyscallHook hook = g_syscall_hook.load(std::memory_order_acquire)) hook();
}

#if defined(_WIN32)
uint64_t PageSize() {
  static const uint64_t page = [] {
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return static_cast<uint64_t>(info.dwPageSize);
  }();
  return page;
}

void* MapPages(uint64_t bytes) {
  if (bytes > static_cast<uint64_t>(SIZE_MAX)) return nullptr;
  // Committed at once (counted against the commit limit), but Windows hands
  // out physical zero pages only on first touch, as mmap does.
  return VirtualAlloc(nullptr, static_cast<SIZE_T>(bytes), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}

bool AdviseHugePages(void*, uint64_t) { return false; }  // large pages need a privilege; not used

void UnmapPages(void* p, uint64_t) { VirtualFree(p, 0, MEM_RELEASE); }
#else
uint64_t PageSize() {
  static const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return page;
}

void* MapPages(uint64_t bytes) {
  if (bytes > static_cast<uint64_t>(SIZE_MAX)) return nullptr;
#if defined(MAP_ANONYMOUS)
  const int anonymous = MAP_ANONYMOUS;
#else
  const int anonymous = MAP_ANON;  // older macOS headers spell it this way only
#endif
  void* p = mmap(nullptr, static_cast<size_t>(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | anonymous, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

bool AdviseHugePages(void* p, uint64_t bytes) {
#if defined(MADV_HUGEPAGE)
  // Advisory only: kernels without THP say no and the region works as usual.
  return madvise(p, static_cast<size_t>(bytes), MADV_HUGEPAGE) == 0;
#else
  (void)p;  // macOS: no transparent huge pages to ask for
  (void)bytes;
  return false;
#endif
}

void UnmapPages(void* p, uint64_t bytes) { munmap(p, static_cast<size_t>(bytes)); }
#endif
}  // namespace

std::unique_ptr<MappedRegion> MappedRegion::Map(uint64_t size, bool huge_pages) {
  if (size == 0) return nullptr;
  const uint64_t page = PageSize();
  if (size > UINT64_MAX - page) return nullptr;
  const uint64_t mapped = (size + page - 1) / page * page;
  RunSyscallHook();
  void* p = MapPages(mapped);
  if (p == nullptr) return nullptr;
  const bool huge = huge_pages && AdviseHugePages(p, mapped);
  g_live_regions.fetch_add(1, std::memory_order_relaxed);
  return std::unique_ptr<MappedRegion>(
      new MappedRegion(static_cast<uint8_t*>(p), size, mapped, huge));
}

MappedRegion::~MappedRegion() {
  RunSyscallHook();
  UnmapPages(data_, mapped_);
  g_live_regions.fetch_sub(1, std::memory_order_relaxed);
}

int64_t MappedRegion::LiveCount() { return g_live_regions.load(std::memory_order_relaxed); }

void MappedRegion::SetSyscallHookForTesting(SyscallHook hook) { g_syscall_hook.store(hook, std::memory_order_release); }

}  // namespace poolmem
