// OS memory for pools: anonymous private mappings (VirtualAlloc on Windows),
// optionally advised to use transparent huge pages where the OS has them
// (Linux). The only file in core that talks to the kernel.
// A MappedRegion unmaps itself when destroyed; share it (shared_ptr) with
// everything that can still reach its bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace poolmem {

class MappedRegion {
 public:
  // nullptr when the kernel refuses (or size is 0). Bytes start zeroed.
  static std::unique_ptr<MappedRegion> Map(uint64_t size, bool huge_pages);
  ~MappedRegion();
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;

  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }          // as requested
  bool huge_pages() const { return huge_pages_; }   // MADV_HUGEPAGE accepted

  // Regions currently mapped by this process (all threads); for tests.
  static int64_t LiveCount();

  // Tests only: a function every Map() and ~MappedRegion() calls (from the
  // calling thread) just before its system call; nullptr (the default) for
  // none. Shows which locks a caller holds across mapping and unmapping.
  using SyscallHook = void (*)();
  static void SetSyscallHookForTesting(SyscallHook hook);

 private:
  MappedRegion(uint8_t* data, uint64_t size, uint64_t mapped, bool huge)
      : data_(data), size_(size), mapped_(mapped), huge_pages_(huge) {}
  uint8_t* data_;
  uint64_t size_;
  uint64_t mapped_;  // size rounded up to pages
  bool huge_pages_;
};

}  // namespace poolmem
