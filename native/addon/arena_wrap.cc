// ArenaWrap: chunk and per-allocation ArrayBuffers over a core Arena.
#include "arena_wrap.h"

#include "bound_function.h"
#include "scratch.h"

namespace poolmem::addon {

// One safe-mode allocation. Owned by its ArrayBuffer's finalizer.
struct SafeBlock {
  std::shared_ptr<ArenaState> state;
  std::shared_ptr<MappedRegion> region;  // mapped until this block's buffer is finalized
  uint64_t id;
  uint64_t offset;
  LiveRanges live;
  napi_ref weak;  // to the ArrayBuffer, for close()
};

namespace {

void FinalizeChunk(Napi::BasicEnv, void*, std::shared_ptr<MappedRegion>* region) {
  delete region;  // unmaps when this was the last holder
}

// Runs on a later turn after GC, after a full free's detach, or at teardown.
void FinalizeSafeBlock(Napi::BasicEnv env, void*, SafeBlock* block) {
  ArenaState& state = *block->state;
  auto it = state.safe_blocks.find(block->id);
  if (it != state.safe_blocks.end()) {
    // Never freed in full: return exactly the bytes still allocated.
    for (const FreeRange& r : block->live.ranges()) {
      state.arena->Free(block->offset + r.start, r.end - r.start);
    }
    state.safe_blocks.erase(it);
    ++state.reclaimed;
  }
  napi_delete_reference(env, block->weak);
  delete block;
}

// The fast-mode arena whose handle id is in the scratch, or nullptr after throwing.
ArenaState* FastArena(napi_env env, Scratch* scratch, HandleTable<ArenaState>* table) {
  ArenaState* state = scratch == nullptr ? nullptr : table->Get(scratch->id);
  if (state == nullptr || !state->fast) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_ARG_VALUE", "Not a fast-mode arena handle");
    return nullptr;
  }
  return state;
}

// Bound to the addon instance's FastPath: its scratch and its arena table.
struct FastPath {
  std::shared_ptr<Scratch> scratch = std::make_shared<Scratch>();
  std::shared_ptr<HandleTable<ArenaState>> table;
};

// Fast mode hot path: () -> 0 with the offset in scratch.offset, or -1 when
// nothing fits. Reads scratch.id and scratch.size.
napi_value FastAllocate(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<FastPath>(env, cbinfo);
  Scratch* scratch = path == nullptr ? nullptr : path->scratch.get();
  ArenaState* state = FastArena(env, scratch, path == nullptr ? nullptr : path->table.get());
  uint64_t size;
  if (state == nullptr || !ReadSlot(env, scratch->size, 1, &size)) return nullptr;
  const int64_t offset = state->arena->Allocate(size);
  scratch->offset = static_cast<double>(offset);
  napi_value out;
  napi_create_int32(env, offset < 0 ? -1 : 0, &out);
  return out;
}

// Fast mode hot path: () -> FreeStatus for scratch [id, offset, size].
napi_value FastFree(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<FastPath>(env, cbinfo);
  Scratch* scratch = path == nullptr ? nullptr : path->scratch.get();
  ArenaState* state = FastArena(env, scratch, path == nullptr ? nullptr : path->table.get());
  uint64_t offset, size;
  if (state == nullptr || !ReadSlot(env, scratch->offset, 0, &offset) || !ReadSlot(env, scratch->size, 0, &size)) {
    return nullptr;
  }
  napi_value out;
  napi_create_int32(env, static_cast<int32_t>(state->arena->Free(offset, size)), &out);
  return out;
}

}  // namespace

Napi::Function ArenaWrap::Define(Napi::Env env) {
  using W = ArenaWrap;
  return DefineClass(env, "ArenaHandle",
                     {
                         CheckedMethod<W, &W::Chunk>("chunk"),
                         CheckedMethod<W, &W::Id>("id"),
                         CheckedMethod<W, &W::AllocateSafe>("allocateSafe"),
                         CheckedMethod<W, &W::FreeSafe>("freeSafe"),
                         CheckedMethod<W, &W::Size>("size"),
                         CheckedMethod<W, &W::FreeSize>("freeSize"),
                         CheckedMethod<W, &W::Close>("close"),
                         CheckedMethod<W, &W::Reset>("reset"),
                         CheckedMethod<W, &W::Stats>("stats"),
                         CheckedMethod<W, &W::Validate>("validate"),
                     });
}

ArenaWrap::ArenaWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ArenaWrap>(info) {
  Napi::Env env = info.Env();
  uint64_t size = 0;
  int32_t kind = 0;
  StrategyOptions options;
  bool safe = false, huge = false;
  if (!ReadSize(info, 0, 1, &size) || !ReadInt32(info, 1, &kind) ||
      !ReadSize(info, 2, 0, &options.min_block) || !ReadBool(info, 3, &safe) ||
      !ReadBool(info, 4, &huge)) {
    return;
  }
  // Optional: 1 (byte-exact) when left out.
  if (info.Length() > 5 && !ReadSize(info, 5, 1, &options.alignment)) return;
  auto arena = Arena::Create(size, static_cast<StrategyKind>(kind), options, huge);
  if (!arena) {
    ThrowCoded(env, ErrorKind::kPlain, "ERR_POOLMEM_OUT_OF_MEMORY", "Cannot reserve arena memory");
    return;
  }
  state_ = std::make_shared<ArenaState>();
  state_->arena = std::move(arena);
  if (!safe) {
    const auto& region = state_->arena->region();
    auto chunk = Napi::ArrayBuffer::New(env, region->data(), static_cast<size_t>(size), FinalizeChunk,
                                        new std::shared_ptr<MappedRegion>(region));
    if (env.IsExceptionPending()) return;
    chunk.TypeTag(&ClassTag(kArenaClass));
    chunk_ = Napi::Persistent(chunk);
    state_->fast = true;
  }
  table_ = AddonData::Of(env)->arenas;
  id_ = table_->Add(state_);
  info.This().As<Napi::Object>().TypeTag(&ClassTag(kClassId));
}

Napi::Value ArenaWrap::Chunk(const Napi::CallbackInfo& info) {
  return chunk_.IsEmpty() ? info.Env().Undefined() : chunk_.Value();
}

void ArenaWrap::ExportFastPath(Napi::Env env, Napi::Object exports) {
  auto path = std::make_shared<FastPath>();
  path->table = AddonData::Of(env)->arenas;
  exports.Set("arenaScratch", ScratchArray(env, path->scratch));
  exports.Set("arenaAllocate", BindFunction(env, "arenaAllocate", FastAllocate, path));
  exports.Set("arenaFree", BindFunction(env, "arenaFree", FastFree, path));
}

ArenaWrap::~ArenaWrap() {
  if (table_) table_->Remove(id_);
}

Napi::Value ArenaWrap::Id(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), id_);
}

Napi::Value ArenaWrap::AllocateSafe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t size;
  if (!ReadSize(info, 0, 1, &size)) return Napi::Value();
  const int64_t offset = state_->arena->Allocate(size);
  if (offset < 0) return env.Null();
  auto* block = new SafeBlock{state_, state_->arena->region(), state_->next_id++, static_cast<uint64_t>(offset),
                              LiveRanges(size), nullptr};
  uint8_t* data = block->region->data() + offset;
  auto ab = Napi::ArrayBuffer::New(env, data, static_cast<size_t>(size), FinalizeSafeBlock, block);
  if (env.IsExceptionPending()) {
    state_->arena->Free(static_cast<uint64_t>(offset), size);
    delete block;
    return Napi::Value();
  }
  ab.TypeTag(&ClassTag(kSafeBufferClass));
  napi_create_reference(env, ab, 0, &block->weak);
  state_->safe_blocks.emplace(block->id, block);
  auto pair = Napi::Array::New(env, 2);
  pair.Set(uint32_t{0}, ab);
  pair.Set(uint32_t{1}, Napi::Number::New(env, static_cast<double>(block->id)));
  return pair;
}

Napi::Value ArenaWrap::FreeSafe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t id, offset, size;
  if (!ReadSize(info, 0, 0, &id) || !ReadSize(info, 1, 0, &offset) || !ReadSize(info, 2, 0, &size)) {
    return Napi::Value();
  }
  auto it = state_->safe_blocks.find(id);
  if (it == state_->safe_blocks.end()) {
    return Napi::Number::New(env, static_cast<int32_t>(FreeStatus::kDoubleFree));
  }
  SafeBlock* block = it->second;
  const FreeStatus status = block->live.Release(offset, size);
  if (status != FreeStatus::kOk || size == 0) return Napi::Number::New(env, static_cast<int32_t>(status));
  state_->arena->Free(block->offset + offset, size);
  if (block->live.empty()) {
    // Fully freed: detach our own buffer (found through the block's weak
    // reference, never taken from the caller) so stale views read length 0.
    // Its finalizer will find the block gone from the map.
    state_->safe_blocks.erase(it);
    napi_value ab = nullptr;
    napi_get_reference_value(env, block->weak, &ab);
    if (ab != nullptr) napi_detach_arraybuffer(env, ab);
  }
  return Napi::Number::New(env, static_cast<int32_t>(FreeStatus::kOk));
}

Napi::Value ArenaWrap::Size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(state_->arena->size()));
}

Napi::Value ArenaWrap::FreeSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(state_->arena->free_size()));
}

Napi::Value ArenaWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (state_->arena->closed()) return env.Undefined();
  state_->arena->Close();
  if (!chunk_.IsEmpty()) {
    chunk_.Value().Detach();  // every view reads length 0; the region lives until the finalizer
    chunk_.Reset();
  }
  for (auto& [id, block] : state_->safe_blocks) {
    napi_value ab = nullptr;
    napi_get_reference_value(env, block->weak, &ab);
    if (ab != nullptr) napi_detach_arraybuffer(env, ab);
  }
  return env.Undefined();
}

Napi::Value ArenaWrap::Reset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (state_->arena->closed()) return env.Undefined();
  for (auto& [id, block] : state_->safe_blocks) {
    napi_value ab = nullptr;
    napi_get_reference_value(env, block->weak, &ab);
    if (ab != nullptr) napi_detach_arraybuffer(env, ab);  // its finalizer finds the block gone
  }
  state_->safe_blocks.clear();
  state_->arena->strategy().Reset(state_->arena->size());
  if (chunk_.IsEmpty()) return env.Undefined();
  // Old views read length 0; the region stays mapped (the arena holds it) and
  // a fresh ArrayBuffer over it serves the next holder.
  chunk_.Value().Detach();
  chunk_.Reset();
  const auto& region = state_->arena->region();
  auto chunk = Napi::ArrayBuffer::New(env, region->data(), static_cast<size_t>(region->size()), FinalizeChunk,
                                      new std::shared_ptr<MappedRegion>(region));
  if (env.IsExceptionPending()) return Napi::Value();
  chunk.TypeTag(&ClassTag(kArenaClass));
  chunk_ = Napi::Persistent(chunk);
  return chunk;
}

Napi::Value ArenaWrap::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Array::New(env, 3);
  out.Set(uint32_t{0}, Napi::Number::New(env, static_cast<double>(state_->safe_blocks.size())));
  out.Set(uint32_t{1}, Napi::Number::New(env, static_cast<double>(state_->reclaimed)));
  out.Set(uint32_t{2}, Napi::Boolean::New(env, state_->arena->huge_pages()));
  return out;
}

Napi::Value ArenaWrap::Validate(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), state_->arena->strategy().Validate());
}

}  // namespace poolmem::addon
