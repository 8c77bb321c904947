// ProcessAllocatorWrap: argument checks and ArrayBuffers around ProcessAllocator::Global().
#include "process_allocator_wrap.h"

#include <memory>

#include "../core/process_allocator.h"
#include "bound_function.h"
#include "napi_helpers.h"
#include "scratch.h"

namespace poolmem::addon {

namespace {

// The hot paths' arguments and results travel through a Scratch (scratch.h):
// about 10 ns of a ~110 ns native pair (perf, Node 20).

void FinalizeChunk(Napi::BasicEnv, void*, std::shared_ptr<MappedRegion>* region) {
  delete region;  // the arena's mapping goes with its last holder
}

napi_value Number(napi_env env, double value) {
  napi_value out;
  napi_create_double(env, value, &out);
  return out;
}

napi_value Int32(napi_env env, int32_t value) {
  napi_value out;
  napi_create_int32(env, value, &out);
  return out;
}

// Hot path: () -> 0, with the block's arena id and offset in the scratch
// slots, or -1 (no memory) / -2 (first-fit not built in). Size: scratch.size.
napi_value Alloc(napi_env env, napi_callback_info cbinfo) {
  Scratch* scratch = ScratchOf(env, cbinfo);
  uint64_t size;
  if (scratch == nullptr || !ReadSlot(env, scratch->size, 1, &size)) return nullptr;
  ProcessAllocator::Block block;
  const auto status = ProcessAllocator::Global().Allocate(size, &block);
  if (status != ProcessAllocator::AllocStatus::kOk) {
    return Int32(env, status == ProcessAllocator::AllocStatus::kNoStrategy ? -2 : -1);
  }
  scratch->id = static_cast<double>(block.arena_id);
  scratch->offset = static_cast<double>(block.offset);
  return Int32(env, 0);
}

// Hot path: () -> FreeResult for the scratch's (id, offset, size); for
// kSpareReleased the unmapped spare's id replaces scratch.id.
napi_value Free(napi_env env, napi_callback_info cbinfo) {
  Scratch* scratch = ScratchOf(env, cbinfo);
  uint64_t id, offset, size;
  if (scratch == nullptr || !ReadSlot(env, scratch->id, 0, &id) || !ReadSlot(env, scratch->offset, 0, &offset) ||
      !ReadSlot(env, scratch->size, 0, &size)) {
    return nullptr;
  }
  uint64_t released = 0;
  const auto result = ProcessAllocator::Global().Free(id, offset, size, &released);
  if (result == ProcessAllocator::FreeResult::kSpareReleased) scratch->id = static_cast<double>(released);
  return Int32(env, static_cast<int32_t>(result));
}

napi_value Chunk(napi_env env, napi_callback_info cbinfo) {
  BoundArgs<1> args;
  uint64_t id;
  if (!args.Read(env, cbinfo) || !ReadSizeValue(env, args.argv[0], 0, &id)) return nullptr;
  std::shared_ptr<MappedRegion> region = ProcessAllocator::Global().Region(id);
  napi_value out = nullptr;
  if (!region) {
    napi_get_undefined(env, &out);
    return out;
  }
  auto* share = new std::shared_ptr<MappedRegion>(region);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, region->data(), static_cast<size_t>(region->size()),
                                                FinalizeChunk, share);
  if (Napi::Env(env).IsExceptionPending()) {
    delete share;
    return nullptr;
  }
  ab.TypeTag(&ClassTag(kProcessChunkClass));
  return ab;
}

// Detaches only ArrayBuffers this file made: never Node's pool or a user's.
napi_value Release(napi_env env, napi_callback_info cbinfo) {
  BoundArgs<1> args;
  if (!args.Read(env, cbinfo)) return nullptr;
  bool ours = false;
  napi_check_object_type_tag(env, args.argv[0], &ClassTag(kProcessChunkClass), &ours);
  if (ours) napi_detach_arraybuffer(env, args.argv[0]);
  napi_value out;
  napi_get_boolean(env, ours, &out);
  return out;
}

napi_value Stats(napi_env env, napi_callback_info) {
  const ProcessAllocator::Stats stats = ProcessAllocator::Global().GetStats();
  napi_value out;
  napi_create_array_with_length(env, 4, &out);
  napi_set_element(env, out, 0, Number(env, static_cast<double>(stats.arenas)));
  napi_set_element(env, out, 1, Number(env, static_cast<double>(stats.size)));
  napi_set_element(env, out, 2, Number(env, static_cast<double>(stats.used_size)));
  napi_set_element(env, out, 3, Number(env, static_cast<double>(stats.spare_size)));
  return out;
}

napi_value Validate(napi_env env, napi_callback_info) {
  napi_value out;
  napi_get_boolean(env, ProcessAllocator::Global().Validate(), &out);
  return out;
}

Napi::Value Plain(Napi::Env env, const char* name, napi_callback callback) {
  napi_value fn = nullptr;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &fn);
  return Napi::Value(env, fn);
}

}  // namespace

void ProcessAllocatorWrap::Export(Napi::Env env, Napi::Object exports) {
  auto scratch = std::make_shared<Scratch>();
  exports.Set("processScratch", ScratchArray(env, scratch));
  exports.Set("processAlloc", BindFunction(env, "processAlloc", Alloc, scratch));
  exports.Set("processFree", BindFunction(env, "processFree", Free, scratch));
  exports.Set("processChunk", Plain(env, "processChunk", Chunk));
  exports.Set("processRelease", Plain(env, "processRelease", Release));
  exports.Set("processStats", Plain(env, "processStats", Stats));
  exports.Set("processValidate", Plain(env, "processValidate", Validate));
}

}  // namespace poolmem::addon
