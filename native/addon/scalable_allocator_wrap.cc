// ScalableAllocatorWrap: construction, tracked (per-allocation ArrayBuffer)
// malloc and free, safe-mode borrow, trim, recycle, close and stats.
#include "scalable_allocator_wrap.h"

namespace poolmem::addon {

namespace {

napi_value Status(napi_env env, FreeStatus status) { return Int32(env, static_cast<int32_t>(status)); }

// Detaches every tracked block's ArrayBuffer and forgets the blocks; their
// finalizers then find nothing to return.
void DetachTracked(ScalableState& state) {
  for (auto& [id, block] : state.tracked) DetachBlockBuffer(state, block);
  state.tracked.clear();
  state.tracked_live.clear();
}

// The string argument, or "" for anything else.
std::string StringArg(napi_env env, napi_value value) {
  napi_valuetype type;
  size_t length = 0;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string ||
      napi_get_value_string_utf8(env, value, nullptr, 0, &length) != napi_ok) {
    return std::string();
  }
  std::string out(length, '\0');
  if (napi_get_value_string_utf8(env, value, out.data(), length + 1, &length) != napi_ok) return std::string();
  out.resize(length);
  return out;
}

// Chunks holding an orphaned block (scalable_state.h): recycle() must not reuse them.
std::vector<uint32_t> PinnedChunks(ScalableState& state) {
  std::vector<uint32_t> pinned;
  for (auto& [id, block] : state.tracked) {
    if (BlockOrphaned(state, block)) pinned.push_back(block->chunk);
  }
  return pinned;
}

}  // namespace

bool ScalableAllocatorWrap::Init(napi_env env, const Args<kArgs>& args) {
  ScalableOptions o;  // strategy.alignment: 1 (byte-exact) when left out
  int32_t kind = 0;
  bool safe = false;
  Options in;
  if (!in.Open(env, args[0]) || !in.Size("chunkSize", 1, &o.chunk_size) ||
      !in.Size("maxChunkSize", 1, &o.max_chunk_size) || !in.Size("maxSize", 0, &o.max_size) ||
      !in.Int32("strategyKind", &kind) || !in.Size("minBlock", 0, &o.strategy.min_block) ||
      !in.OptionalSize("alignment", 1, &o.strategy.alignment) || !in.Bool("safe", &safe) ||
      !in.Bool("hugePages", &o.huge_pages)) {
    return false;
  }
  napi_value chunks = in.Array("chunks");
  if (chunks == nullptr) return false;
  AddonData* data = AddonData::Of(env);
  if (data == nullptr) return false;
  if (o.max_size == 0) o.max_size = UINT64_MAX;
  o.kind = static_cast<StrategyKind>(kind);
  auto core = ScalableAllocator::Create(o);
  if (!core) {
    ThrowCoded(env, ErrorKind::kRange, "ERR_OUT_OF_RANGE", "The chunk sizes are not supported by this strategy");
    return false;
  }
  state_ = std::make_shared<ScalableState>();
  state_->env = env;
  state_->core = std::move(core);
  state_->external = data->external;
  state_->fast = !safe;
  state_->core->set_listener(state_.get());
  state_->chunks = NewRef(env, chunks, 1);
  if (state_->chunks == nullptr) return false;
  id_ = data->scalables->Add(state_);
  if (id_ < 0) {
    ThrowCoded(env, ErrorKind::kPlain, "ERR_POOLMEM_OUT_OF_MEMORY", "Too many allocators are open");
    return false;
  }
  table_ = data->scalables;
  return true;
}

ScalableAllocatorWrap::~ScalableAllocatorWrap() {
  if (table_) table_->Remove(id_);
}

napi_value ScalableAllocatorWrap::Id(napi_env env, const Args<0>&) { return Number(env, id_); }

napi_value ScalableAllocatorWrap::MallocTracked(napi_env env, const Args<5>& args) {
  ScalableState& state = *state_;
  uint64_t size, group, id;
  bool report;
  if (!ReadSizeValue(env, args[0], 1, &size) || !ReadSizeValue(env, args[2], 0, &group) ||
      !ReadBoolValue(env, args[3], &report) || !ReadSizeValue(env, args[4], 1, &id)) {
    return nullptr;
  }
  if (state.tracked.count(id) != 0) {  // ids come from the JS half's counter; never two blocks per id
    ThrowCoded(env, ErrorKind::kRange, "ERR_INVALID_ARG_VALUE", "The block id is in use");
    return nullptr;
  }
  state.EndBorrow();
  state.FlushReleases();
  if (size > kMaxChunkBytes) return Number(env, static_cast<double>(kCapReached));
  std::string stack = StringArg(env, args[1]);
  const int64_t handle = state.core->Malloc(size);
  if (handle < 0) return Number(env, static_cast<double>(handle));
  const auto chunk = static_cast<uint32_t>(HandleChunk(static_cast<uint64_t>(handle)));
  const uint64_t offset = HandleOffset(static_cast<uint64_t>(handle));
  // Its bytes are reachable from the new ArrayBuffer: never hand them out.
  // They stay allocated (so the chunk stays) until the JS half retires it.
  if (state.ChunkTransferred(chunk)) return Number(env, kChunkTransferred);
  auto* block = new TrackedBlock{state_, state.core->chunk(chunk)->region(), id, chunk, offset,
                                 LiveRanges(size), group, std::move(stack), report};
  napi_value ab = NewBlockBuffer(state, block, FinalizeTracked);
  if (ab == nullptr) {
    state.core->Free(chunk, offset, size);  // nobody got the buffer; the block is in no map
    ThrowCoded(env, ErrorKind::kPlain, "ERR_POOLMEM_OUT_OF_MEMORY", "Cannot create an ArrayBuffer");
    return nullptr;
  }
  state.AddTracked(block);
  return ab;
}

napi_value ScalableAllocatorWrap::FreeTracked(napi_env env, const Args<3>& args) {
  ScalableState& state = *state_;
  uint64_t id, offset, size;
  if (!ReadSizeValue(env, args[0], 0, &id) || !ReadSizeValue(env, args[1], 0, &offset) ||
      !ReadSizeValue(env, args[2], 0, &size)) {
    return nullptr;
  }
  state.EndBorrow();
  auto it = state.tracked.find(id);
  if (it == state.tracked.end()) return Status(env, FreeStatus::kDoubleFree);
  TrackedBlock* block = it->second;
  if (size != 0 && BlockOrphaned(state, block)) return Status(env, FreeStatus::kOk);  // its finalizer frees it
  const FreeStatus status = state.ReleaseTracked(block, offset, size);
  if (status != FreeStatus::kOk || size == 0) return Status(env, status);
  if (!state.fast) {
    // Safe mode: poisoned and held, not detached and not back in the chunk,
    // so a write still queued or in flight sends poison; the block stays in
    // the map (a second free is a double free) until its finalizer.
    state.HoldTracked(block, offset, size);
    return Status(env, FreeStatus::kOk);
  }
  state.core->Free(block->chunk, block->offset + offset, size);
  if (block->live.empty()) {
    // Fully freed: detach our own buffer (found through the block's weak
    // reference, never taken from the caller) so stale views read length 0.
    // Its finalizer will find the block gone from the map.
    state.ForgetTracked(block);
    DetachBlockBuffer(state, block);
  }
  return Status(env, FreeStatus::kOk);
}

// Safe mode: the lent bytes are allocated for real, as a tracked block the
// next call frees (poisoned, held until the lent buffer is collected), so no
// malloc hands them out while the borrowed Buffer can still reach them.
napi_value ScalableAllocatorWrap::BorrowSafe(napi_env env, const Args<1>& args) {
  ScalableState& state = *state_;
  uint64_t size;
  if (!ReadSizeValue(env, args[0], 1, &size)) return nullptr;
  state.EndBorrow();
  state.FlushReleases();
  if (size > kMaxChunkBytes) return Number(env, static_cast<double>(kCapReached));
  const int64_t handle = state.core->Malloc(size);
  if (handle < 0) return Number(env, static_cast<double>(handle));
  const auto chunk = static_cast<uint32_t>(HandleChunk(static_cast<uint64_t>(handle)));
  const uint64_t offset = HandleOffset(static_cast<uint64_t>(handle));
  auto* block = new TrackedBlock{state_, state.core->chunk(chunk)->region(), state.next_lent_id++, chunk, offset,
                                 LiveRanges(size), 0, std::string(), false};
  napi_value ab = NewBlockBuffer(state, block, FinalizeTracked);
  if (ab == nullptr) {
    state.core->Free(chunk, offset, size);  // nobody got the buffer; the block is in no map
    return nullptr;
  }
  state.AddTracked(block);
  state.lent = block;
  state.borrowed_bytes += size;
  return ab;
}

napi_value ScalableAllocatorWrap::Trim(napi_env env, const Args<0>&) {
  state_->EndBorrow();
  state_->FlushReleases();
  return Number(env, static_cast<double>(state_->core->Trim()));
}

napi_value ScalableAllocatorWrap::Recycle(napi_env env, const Args<0>&) {
  state_->EndBorrow();
  if (!state_->fast) {
    // Every allocation is a tracked block: each is freed as by free(). Chunks
    // that end up wholly free go back when the last block's finalizer runs.
    state_->HoldAllTracked();
    return Undefined(env);
  }
  const std::vector<uint32_t> pinned = PinnedChunks(*state_);
  DetachTracked(*state_);
  state_->core->Recycle(pinned);
  return Undefined(env);
}

napi_value ScalableAllocatorWrap::Close(napi_env env, const Args<0>&) {
  ScalableState& state = *state_;
  if (state.closed) return Undefined(env);
  state.closed = true;
  state.EndBorrow();
  if (!state.fast) {
    // Not detached: a write in flight may still read them. Poisoned, they stay
    // mapped (each block holds its region) until their finalizers run. Their
    // chunks stop counting below, so V8 counts the buffers themselves from now.
    state.HoldAllTracked();
    for (auto& [id, block] : state.tracked) {
      state.external->Add(env, block->uncounted);
      block->uncounted = 0;
    }
  } else {
    DetachTracked(state);
  }
  state.core->Recycle();
  state.core->Trim();  // releases (and detaches) every chunk
  state.FlushReleases();
  return Undefined(env);
}

napi_value ScalableAllocatorWrap::RetireChunk(napi_env env, const Args<1>& args) {
  uint64_t id;
  if (!ReadSizeValue(env, args[0], 0, &id)) return nullptr;
  state_->EndBorrow();
  return Boolean(env, id < kMaxChunks && state_->core->Retire(static_cast<uint32_t>(id)));
}

napi_value ScalableAllocatorWrap::Stats(napi_env env, const Args<0>&) {
  state_->FlushReleases();  // chunks a GC fallback released: detach them now
  const ScalableStats s = state_->Reported();
  const double values[] = {static_cast<double>(s.chunks),       static_cast<double>(s.size),
                           static_cast<double>(s.used_size),    static_cast<double>(s.free_size),
                           static_cast<double>(s.total_malloc), static_cast<double>(s.total_free),
                           static_cast<double>(s.allocations),  static_cast<double>(state_->leaks),
                           static_cast<double>(s.retired),      static_cast<double>(state_->fast ? 0 : state_->held)};
  napi_value out = NewArray(env);
  for (uint32_t i = 0; i < 10; ++i) {
    if (!SetElement(out, env, i, Number(env, values[i]))) return nullptr;
  }
  return out;
}

napi_value ScalableAllocatorWrap::TakeLeaks(napi_env env, const Args<0>&) {
  std::vector<LeakRecord>& pending = state_->leaks_pending;
  if (pending.empty()) return Undefined(env);
  napi_value out = NewArray(env);
  for (uint32_t i = 0; i < pending.size(); ++i) {
    const LeakRecord& r = pending[i];
    napi_value record = ArrayOf(env, {Number(env, static_cast<double>(r.bytes)), Number(env, static_cast<double>(r.group))});
    if (record != nullptr && !r.stack.empty() && !SetElement(record, env, 2, String(env, r.stack.data(), r.stack.size()))) {
      record = nullptr;
    }
    if (!SetElement(out, env, i, record)) return nullptr;  // kept for the next call
  }
  pending.clear();
  return out;
}

napi_value ScalableAllocatorWrap::Chunks(napi_env env, const Args<0>&) {
  napi_value out = NewArray(env);
  uint32_t n = 0;
  for (uint32_t id = 0; id < state_->core->chunk_slots(); ++id) {
    const Arena* chunk = state_->core->chunk(id);
    if (chunk == nullptr) continue;
    napi_value row = ArrayOf(env, {Number(env, id), Number(env, static_cast<double>(chunk->size())),
                                   Number(env, static_cast<double>(chunk->free_size()))});
    if (!SetElement(out, env, n++, row)) return nullptr;
  }
  return out;
}

napi_value ScalableAllocatorWrap::Validate(napi_env env, const Args<0>&) {
  return Boolean(env, state_->core->Validate());
}

}  // namespace poolmem::addon
