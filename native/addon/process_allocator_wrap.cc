// ProcessAllocatorWrap: argument checks and ArrayBuffers around ProcessAllocator::Global().
#include "process_allocator_wrap.h"

#include <memory>

#include "../core/process_allocator.h"
#include "bound_function.h"
#include "napi_helpers.h"

namespace poolmem::addon {

namespace {

// Per addon instance: the slot the hot path writes the arena id into. JS
// reads it through an external ArrayBuffer (untransferable, so no caller can
// free it from under us); the buffer and the function each hold a share.
struct Scratch {
  double id = 0;
};

void FinalizeScratch(Napi::BasicEnv, void*, std::shared_ptr<Scratch>* share) {
  delete share;
}

void FinalizeChunk(Napi::BasicEnv, void*, std::shared_ptr<MappedRegion>* region) {
  delete region;  // the arena's mapping goes with its last holder
}

napi_value Number(napi_env env, double value) {
  napi_value out;
  napi_create_double(env, value, &out);
  return out;
}

// Hot path: (size) -> offset | -1 | -2; the arena id goes to the scratch slot.
napi_value Alloc(napi_env env, napi_callback_info cbinfo) {
  BoundArgs<1> args;
  uint64_t size;
  if (!args.Read(env, cbinfo) || !ReadSizeValue(env, args.argv[0], 1, &size)) return nullptr;
  ProcessAllocator::Block block;
  const auto status = ProcessAllocator::Global().Allocate(size, &block);
  if (status != ProcessAllocator::AllocStatus::kOk) {
    return Number(env, status == ProcessAllocator::AllocStatus::kNoStrategy ? -2 : -1);
  }
  static_cast<Scratch*>(args.data)->id = static_cast<double>(block.arena_id);
  return Number(env, static_cast<double>(block.offset));
}

// Hot path: (arenaId, offset, size) -> FreeResult.
napi_value Free(napi_env env, napi_callback_info cbinfo) {
  BoundArgs<3> args;
  uint64_t id, offset, size;
  if (!args.Read(env, cbinfo) || !ReadSizeValue(env, args.argv[0], 0, &id) ||
      !ReadSizeValue(env, args.argv[1], 0, &offset) || !ReadSizeValue(env, args.argv[2], 0, &size)) {
    return nullptr;
  }
  const auto result = ProcessAllocator::Global().Free(id, offset, size);
  napi_value out;
  napi_create_int32(env, static_cast<int32_t>(result), &out);
  return out;
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
  napi_create_array_with_length(env, 3, &out);
  napi_set_element(env, out, 0, Number(env, static_cast<double>(stats.arenas)));
  napi_set_element(env, out, 1, Number(env, static_cast<double>(stats.size)));
  napi_set_element(env, out, 2, Number(env, static_cast<double>(stats.used_size)));
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
  auto* share = new std::shared_ptr<Scratch>(scratch);
  auto ab = Napi::ArrayBuffer::New(env, &scratch->id, sizeof(double), FinalizeScratch, share);
  if (env.IsExceptionPending()) {
    delete share;
    return;
  }
  exports.Set("processScratch", Napi::Float64Array::New(env, 1, ab, 0));
  exports.Set("processAlloc", BindFunction(env, "processAlloc", Alloc, scratch));
  exports.Set("processFree", Plain(env, "processFree", Free));
  exports.Set("processChunk", Plain(env, "processChunk", Chunk));
  exports.Set("processRelease", Plain(env, "processRelease", Release));
  exports.Set("processStats", Plain(env, "processStats", Stats));
  exports.Set("processValidate", Plain(env, "processValidate", Validate));
}

}  // namespace poolmem::addon
