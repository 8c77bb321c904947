// ArenaWrap: chunk and per-allocation ArrayBuffers over a core Arena.
#include "arena_wrap.h"

#include "../core/debug.h"
#include "bound_function.h"
#include "region_buffer.h"
#include "scratch.h"

namespace poolmem::addon {

namespace {

// The fast-mode arena whose handle id is in the scratch, or nullptr after throwing.
ArenaState* FastArena(napi_env env, Scratch* scratch, HandleTable<ArenaState>* table) {
  ArenaState* state = scratch == nullptr ? nullptr : table->Get((*scratch)[kSlotPool]);
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

// Fast mode hot path: () -> kAllocOk with the offset in kSlotOffset, or
// kNoFit. Reads kSlotPool and kSlotSize.
napi_value FastAllocate(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<FastPath>(env, cbinfo);
  Scratch* scratch = path == nullptr ? nullptr : path->scratch.get();
  ArenaState* state = FastArena(env, scratch, path == nullptr ? nullptr : path->table.get());
  uint64_t size;
  if (state == nullptr || !ReadSlot(env, (*scratch)[kSlotSize], 1, &size)) return nullptr;
  const int64_t offset = state->arena->Allocate(size);
  (*scratch)[kSlotOffset] = static_cast<double>(offset);
  return Int32(env, offset < 0 ? static_cast<int32_t>(kNoFit) : kAllocOk);
}

// Fast mode hot path: () -> FreeStatus for kSlotPool, kSlotOffset and kSlotSize.
napi_value FastFree(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<FastPath>(env, cbinfo);
  Scratch* scratch = path == nullptr ? nullptr : path->scratch.get();
  ArenaState* state = FastArena(env, scratch, path == nullptr ? nullptr : path->table.get());
  uint64_t offset, size;
  if (state == nullptr || !ReadSlot(env, (*scratch)[kSlotOffset], 0, &offset) ||
      !ReadSlot(env, (*scratch)[kSlotSize], 0, &size)) {
    return nullptr;
  }
  return Int32(env, static_cast<int32_t>(state->arena->Free(offset, size)));
}

}  // namespace

bool ArenaWrap::Init(napi_env env, const Args<kArgs>& args) {
  uint64_t size = 0;
  int32_t kind = 0;
  StrategyOptions options;  // alignment: 1 (byte-exact) when left out
  bool safe = false, huge = false;
  Options o;
  if (!o.Open(env, args[0]) || !o.Size("size", 1, &size) || !o.Int32("strategyKind", &kind) ||
      !o.Size("minBlock", 0, &options.min_block) || !o.OptionalSize("alignment", 1, &options.alignment) ||
      !o.Bool("safe", &safe) || !o.Bool("hugePages", &huge)) {
    return false;
  }
  AddonData* data = AddonData::Of(env);
  if (data == nullptr) return false;
  auto arena = Arena::Create(size, static_cast<StrategyKind>(kind), options, huge);
  if (!arena) {
    ThrowCoded(env, ErrorKind::kPlain, "ERR_POOLMEM_OUT_OF_MEMORY", "Cannot reserve arena memory");
    return false;
  }
  env_ = env;
  state_ = std::make_shared<ArenaState>();
  state_->arena = std::move(arena);
  state_->fast = !safe;
  state_->granule = state_->arena->strategy().Granule();
  if (state_->fast && !NewChunk(env)) return false;
  id_ = data->arenas->Add(state_);
  if (id_ < 0) {
    ThrowCoded(env, ErrorKind::kPlain, "ERR_POOLMEM_OUT_OF_MEMORY", "Too many arenas are open");
    return false;
  }
  table_ = data->arenas;
  return true;
}

bool ArenaWrap::NewChunk(napi_env env) {
  napi_value ab = RegionArrayBuffer(env, state_->arena->region());
  if (!Tag(env, ab, kArenaClass)) return false;
  chunk_ = NewRef(env, ab, 1);
  return chunk_ != nullptr;
}

ArenaWrap::~ArenaWrap() {
  if (table_) table_->Remove(id_);
  if (chunk_ != nullptr) napi_delete_reference(env_, chunk_);
}

napi_value ArenaWrap::Chunk(napi_env env, const Args<0>&) {
  napi_value ab = Deref(env, chunk_);
  return ab != nullptr ? ab : Undefined(env);
}

bool ArenaWrap::ExportFastPath(napi_env env, napi_value exports) {
  AddonData* data = AddonData::Of(env);
  if (data == nullptr) return false;
  auto path = std::make_shared<FastPath>();
  path->table = data->arenas;
  return SetNamed(env, exports, "arenaScratch", ScratchArray(env, path->scratch)) &&
         SetNamed(env, exports, "arenaAllocate", BindFunction(env, "arenaAllocate", FastAllocate, path)) &&
         SetNamed(env, exports, "arenaFree", BindFunction(env, "arenaFree", FastFree, path));
}

napi_value ArenaWrap::Id(napi_env env, const Args<0>&) { return Number(env, id_); }

void ArenaState::GiveBack(const SafeBlock& block) {
  const FreeStatus status = arena->Free(block.offset, block.live.size());
  POOLMEM_ASSERT(status == FreeStatus::kOk);
  (void)status;
}

napi_value ArenaWrap::AllocateSafe(napi_env env, const Args<1>& args) {
  uint64_t size;
  if (!ReadSizeValue(env, args[0], 1, &size)) return nullptr;
  const uint64_t free_before = state_->arena->free_size();
  const int64_t offset = state_->arena->Allocate(size);
  if (offset < 0) return Null(env);
  napi_value pair = NewSafeBuffer(env, state_, state_->arena->region(), static_cast<uint64_t>(offset), size,
                                  free_before - state_->arena->free_size(), 0);
  if (pair == nullptr) state_->arena->Free(static_cast<uint64_t>(offset), size);  // nobody got the buffer
  return pair;
}

napi_value ArenaWrap::FreeSafe(napi_env env, const Args<3>& args) {
  uint64_t id, offset, size;
  if (!ReadSizeValue(env, args[0], 0, &id) || !ReadSizeValue(env, args[1], 0, &offset) ||
      !ReadSizeValue(env, args[2], 0, &size)) {
    return nullptr;
  }
  return Int32(env, static_cast<int32_t>(FreeSafeRange(env, *state_, id, offset, size)));
}

napi_value ArenaWrap::Size(napi_env env, const Args<0>&) {
  return Number(env, static_cast<double>(state_->arena->size()));
}

napi_value ArenaWrap::FreeSize(napi_env env, const Args<0>&) {
  return Number(env, static_cast<double>(state_->arena->free_size()));
}

napi_value ArenaWrap::UsableSize(napi_env env, const Args<0>&) {
  return Number(env, static_cast<double>(state_->arena->usable_size()));
}

napi_value ArenaWrap::HeldSize(napi_env env, const Args<0>&) {
  return Number(env, static_cast<double>(state_->held));
}


napi_value ArenaWrap::Close(napi_env env, const Args<0>&) {
  if (state_->arena->closed()) return Undefined(env);
  state_->arena->Close();
  DetachAndDrop(env, &chunk_);  // every view reads length 0; the region lives until the finalizer
  // Safe blocks are not detached: a write in flight may still read them. They
  // read poison and stay mapped until their finalizers run.
  ReleaseAllSafeBlocks(env, *state_);
  return Undefined(env);
}

napi_value ArenaWrap::Reset(napi_env env, const Args<0>&) {
  if (state_->arena->closed()) return Undefined(env);
  if (!state_->fast) {
    // Every allocation is a block: each is freed as by free() (poisoned, held
    // until its finalizer), except orphans, which stay allocated.
    ReleaseAllSafeBlocks(env, *state_);
    return Undefined(env);
  }
  state_->arena->Reset();
  // Old views read length 0; the region stays mapped (the arena holds it) and
  // a fresh ArrayBuffer over it serves the next holder.
  DetachAndDrop(env, &chunk_);
  return NewChunk(env) ? Deref(env, chunk_) : nullptr;
}

napi_value ArenaWrap::Stats(napi_env env, const Args<0>&) {
  return ArrayOf(env, {Number(env, static_cast<double>(state_->safe_blocks.size())),
                       Number(env, static_cast<double>(state_->reclaimed)),
                       Boolean(env, state_->arena->huge_pages())});
}

napi_value ArenaWrap::Validate(napi_env env, const Args<0>&) {
  return Boolean(env, state_->arena->strategy().Validate());
}

}  // namespace poolmem::addon
