// A hot path's arguments and results as three doubles shared with JS through
// an external Float64Array. JS writes checked numbers, calls a no-argument
// native function, and reads the results back. This skips
// napi_get_cb_info's argument copy, a napi_get_value_double per argument and a
// heap number per result: Node-API calls cost ~18 ns with no arguments against
// ~30 ns with numbers in and out (measured, Node 20). One Scratch per addon
// instance and hot path; JS is single-threaded, so nothing interleaves between
// the writes, the call and the reads. No caller can free the memory from
// under the native side: postMessage refuses the (external) buffer, and
// ArrayBuffer#transfer (Node 22+) moves it to a new ArrayBuffer whose
// finalizer drops only a share of the Scratch; the old Float64Array is then
// detached and its writes vanish, which the JS half checks for
// (lib/internal/native_contract.js).
#pragma once

#include <cstdint>
#include <memory>

#include "bound_function.h"
#include "napi_helpers.h"

namespace poolmem::addon {

// Slot indices, one name per meaning (aliases share a slot): each call names
// the slots it reads and writes with them, and the addon exports them to JS
// under the same names (contract.cc, lib/internal/native_contract.js).
enum ScratchSlot : uint32_t {
  kSlotPool = 0,           // arena* and scalable* calls: the pool's handle id (handle_table.h)
  kSlotArena = 0,          // processAlloc (out), processFree (in): the block's arena id
  kSlotReleasedArena = 0,  // processFree's kSpareReleased (out): the spare arena it unmapped
  kSlotOffset = 1,         // the block's offset in its region (in or out)
  kSlotChunkHandle = 1,    // scalableFree (in): chunk id * kHandleStride + offset (scalable_allocator.h)
  kSlotSize = 2,           // the request's or the freed range's byte count
  kSlotCount = 2,          // scalableFreeBatch (in): how many (handle, size) pairs
};
inline constexpr uint32_t kScratchSlots = 3;
// arenaAllocate and processAlloc: the block is in the slots (else kNoFit).
inline constexpr int32_t kAllocOk = 0;

struct Scratch {
  double slots[kScratchSlots] = {};
  double& operator[](ScratchSlot slot) { return slots[slot]; }
};

template <class Doubles>
void ReleaseShare(napi_env, void*, void* hint) {
  delete static_cast<std::shared_ptr<Doubles>*>(hint);
}

// A Float64Array over `doubles`, a struct of nothing but doubles; the array
// holds a share of it, so native code and JS see the same memory for as long
// as either needs it. nullptr on failure.
template <class Doubles>
napi_value SharedFloat64Array(napi_env env, const std::shared_ptr<Doubles>& doubles) {
  static_assert(sizeof(Doubles) % sizeof(double) == 0);
  auto* share = new std::shared_ptr<Doubles>(doubles);
  bool ours = false;
  napi_value ab = NewExternalArrayBuffer(env, doubles.get(), sizeof(Doubles), ReleaseShare<Doubles>, share, &ours);
  if (ab == nullptr) {
    if (ours) delete share;
    return nullptr;
  }
  napi_value out = nullptr;
  if (napi_create_typedarray(env, napi_float64_array, sizeof(Doubles) / sizeof(double), ab, 0, &out) != napi_ok) {
    return nullptr;
  }
  return out;
}

// The Float64Array over scratch.
inline napi_value ScratchArray(napi_env env, const std::shared_ptr<Scratch>& scratch) {
  static_assert(sizeof(Scratch) == kScratchSlots * sizeof(double));
  return SharedFloat64Array(env, scratch);
}

// The Scratch a function made by BindFunction(..., scratch) was bound to.
inline Scratch* ScratchOf(napi_env env, napi_callback_info cbinfo) { return BoundData<Scratch>(env, cbinfo); }

// A scratch slot as an integer in [min, 2^53], or a RangeError. JS writes
// checked values; this keeps a direct caller of the binding from reaching an
// undefined conversion.
inline bool ReadSlot(napi_env env, double d, uint64_t min, uint64_t* out) {
  if (d >= static_cast<double>(min) && d <= 9007199254740992.0) {
    *out = static_cast<uint64_t>(d);
    if (static_cast<double>(*out) == d) return true;
  }
  ThrowCoded(env, ErrorKind::kRange, "ERR_OUT_OF_RANGE", "The argument is out of range");
  return false;
}

}  // namespace poolmem::addon
