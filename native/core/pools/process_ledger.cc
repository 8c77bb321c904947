// ProcessLedger: a process-unique owner tag for ProcessAllocator.
#include "pools/process_ledger.h"

#include <atomic>

namespace poolmem {

namespace {
std::atomic<uint64_t> next_owner{ProcessAllocator::kDefaultOwner + 1};
}

ProcessLedger::ProcessLedger(ProcessAllocator& allocator)
    : allocator_(allocator), owner_(next_owner.fetch_add(1, std::memory_order_relaxed)) {}

}  // namespace poolmem
