// binding.contract: one table from JS names to the C++ constants they mirror.
#include "contract.h"

#include <cstdint>

#include "../core/pools/process_allocator.h"
#include "../core/pools/scalable_allocator.h"
#include "../core/strategies/aligned_strategy.h"
#include "../core/strategies/buddy_allocator.h"
#include "../core/strategies/first_fit_allocator.h"
#include "../core/strategies/granule.h"
#include "../core/strategies/range_strategy.h"
#include "napi_helpers.h"
#include "safe_poison.h"
#include "scalable_state.h"
#include "scratch.h"

namespace poolmem::addon {

namespace {

struct Constant {
  const char* name;
  double value;  // every value is an integer below 2^53: exact as a JS number
};

template <class E>
constexpr double Code(E e) {
  return static_cast<double>(static_cast<int64_t>(e));
}

using Process = ProcessAllocator::FreeResult;

const Constant kContract[] = {
    // Scratch slots (scratch.h): one name per meaning, aliases share a slot.
    {"SLOT_POOL", kSlotPool},
    {"SLOT_ARENA", kSlotArena},
    {"SLOT_RELEASED_ARENA", kSlotReleasedArena},
    {"SLOT_OFFSET", kSlotOffset},
    {"SLOT_CHUNK_HANDLE", kSlotChunkHandle},
    {"SLOT_SIZE", kSlotSize},
    {"SLOT_COUNT", kSlotCount},
    // arenaAllocate / processAlloc results.
    {"ALLOC_OK", kAllocOk},
    {"NO_FIT", static_cast<double>(kNoFit)},
    // FreeStatus (range_strategy.h), and the scalable free's extra status.
    {"FREE_OK", Code(FreeStatus::kOk)},
    {"FREE_DOUBLE", Code(FreeStatus::kDoubleFree)},
    {"FREE_OUT_OF_RANGE", Code(FreeStatus::kOutOfRange)},
    {"FREE_COVERS_TRACKED", kCoversTracked},
    // ScalableAllocator malloc/borrow failures (scalable_allocator.h, scalable_state.h).
    {"CAP_REACHED", static_cast<double>(kCapReached)},
    {"OS_REFUSED", static_cast<double>(kOsRefused)},
    {"CHUNK_TRANSFERRED", kChunkTransferred},
    // ProcessAllocator::FreeResult.
    {"PROCESS_FREE_OK", Code(Process::kOk)},
    {"PROCESS_FREE_DOUBLE", Code(Process::kDoubleFree)},
    {"PROCESS_FREE_OUT_OF_RANGE", Code(Process::kOutOfRange)},
    {"PROCESS_FREE_UNKNOWN_ARENA", Code(Process::kUnknownArena)},
    {"PROCESS_ARENA_RELEASED", Code(Process::kArenaReleased)},
    {"PROCESS_ARENA_SPARED", Code(Process::kArenaSpared)},
    {"PROCESS_SPARE_RELEASED", Code(Process::kSpareReleased)},
    // StrategyKind; binding.strategies() lists the names in this order.
    {"STRATEGY_TREAP", Code(StrategyKind::kTreap)},
    {"STRATEGY_AVL", Code(StrategyKind::kAvl)},
    {"STRATEGY_BUDDY", Code(StrategyKind::kBuddy)},
    {"STRATEGY_FIRST_FIT", Code(StrategyKind::kFirstFit)},
    // Strategy limits (MakeRangeStrategy's checks).
    {"MIN_GRANULE", static_cast<double>(kMinGranule)},
    {"MAX_GRANULE", static_cast<double>(kMaxGranule)},
    {"MAX_GRANULE_COUNT", static_cast<double>(kMaxGranuleCount)},
    {"MAX_ALIGNMENT", static_cast<double>(kMaxAlignment)},
    {"MAX_ALIGNED_GRANULES", static_cast<double>(kMaxAlignedGranules)},
    {"BUDDY_DEFAULT_MIN_BLOCK", static_cast<double>(BuddyAllocator::kDefaultMinBlock)},
    {"FIRST_FIT_DEFAULT_GRANULE", static_cast<double>(FirstFitAllocator::kDefaultGranule)},
    // ScalableAllocator: the largest chunk, and block handles.
    {"CHUNK_LIMIT", static_cast<double>(kMaxChunkBytes)},
    {"HANDLE_STRIDE", static_cast<double>(kHandleStride)},
    // alloc()/free(): block alignment and the largest block (first-fit's granule count).
    {"PROCESS_ALIGNMENT", static_cast<double>(ProcessAllocator::kAlign)},
    {"PROCESS_MAX_BLOCK", static_cast<double>(kMaxGranuleCount * ProcessAllocator::kAlign)},
    // Safe mode's freed-memory byte.
    {"SAFE_POISON", kSafePoison},
};

}  // namespace

bool ExportContract(napi_env env, napi_value exports) {
  napi_value contract = nullptr;
  if (napi_create_object(env, &contract) != napi_ok) return false;
  for (const Constant& c : kContract) {
    if (!SetNamed(env, contract, c.name, Number(env, c.value))) return false;
  }
  return napi_object_freeze(env, contract) == napi_ok && SetNamed(env, exports, "contract", contract);
}

}  // namespace poolmem::addon
