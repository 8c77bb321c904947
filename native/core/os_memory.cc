// mmap / madvise / munmap behind MappedRegion.
#include "os_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>

namespace poolmem {

namespace {
std::atomic<int64_t> g_live_regions{0};

uint64_t PageSize() {
  static const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return page;
}
}  // namespace

std::unique_ptr<MappedRegion> MappedRegion::Map(uint64_t size, bool huge_pages) {
  if (size == 0) return nullptr;
  const uint64_t page = PageSize();
  if (size > UINT64_MAX - page) return nullptr;
  const uint64_t mapped = (size + page - 1) / page * page;
  void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  bool huge = false;
#ifdef MADV_HUGEPAGE
  // Advisory only: kernels without THP say no and the region works as usual.
  if (huge_pages) huge = madvise(p, mapped, MADV_HUGEPAGE) == 0;
#endif
  g_live_regions.fetch_add(1, std::memory_order_relaxed);
  return std::unique_ptr<MappedRegion>(
      new MappedRegion(static_cast<uint8_t*>(p), size, mapped, huge));
}

MappedRegion::~MappedRegion() {
  munmap(data_, mapped_);
  g_live_regions.fetch_sub(1, std::memory_order_relaxed);
}

int64_t MappedRegion::LiveCount() { return g_live_regions.load(std::memory_order_relaxed); }

}  // namespace poolmem
