// ScalableAllocatorWrap: construction, tracked (per-allocation ArrayBuffer)
// malloc and free, safe-mode borrow, trim, recycle, close and stats.
#include "scalable_allocator_wrap.h"

namespace poolmem::addon {

namespace {

// Runs on a later turn after EndBorrow's detach or after GC.
void FinalizeBorrow(napi_env, void*, void* hint) {
  auto* holder = static_cast<BorrowHolder*>(hint);
  ScalableState& state = *holder->state;
  if (state.borrow_holder == holder) state.borrow_holder = nullptr;
  if (!holder->recounted) state.Adjust(static_cast<int64_t>(holder->size));
  delete holder;
}

Napi::Value Status(Napi::Env env, FreeStatus status) {
  return Napi::Number::New(env, static_cast<int32_t>(status));
}

// Detaches every tracked block's ArrayBuffer and forgets the blocks; their
// finalizers then find nothing to return.
void DetachTracked(ScalableState& state) {
  for (auto& [id, block] : state.tracked) DetachBlockBuffer(state, block);
  state.tracked.clear();
}

}  // namespace

Napi::Function ScalableAllocatorWrap::Define(Napi::Env env) {
  using W = ScalableAllocatorWrap;
  return DefineClass(env, "ScalableAllocatorHandle",
                     {
                         CheckedMethod<W, &W::Id>("id"),
                         CheckedMethod<W, &W::MallocTracked>("mallocTracked"),
                         CheckedMethod<W, &W::FreeTracked>("freeTracked"),
                         CheckedMethod<W, &W::BorrowSafe>("borrowSafe"),
                         CheckedMethod<W, &W::Trim>("trim"),
                         CheckedMethod<W, &W::Recycle>("recycle"),
                         CheckedMethod<W, &W::Close>("close"),
                         CheckedMethod<W, &W::Stats>("stats"),
                         CheckedMethod<W, &W::TakeLeaks>("takeLeaks"),
                         CheckedMethod<W, &W::Chunks>("chunks"),
                         CheckedMethod<W, &W::Validate>("validate"),
                     });
}

ScalableAllocatorWrap::ScalableAllocatorWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<ScalableAllocatorWrap>(info) {
  Napi::Env env = info.Env();
  ScalableOptions o;
  int32_t kind = 0;
  bool safe = false;
  if (!ReadSize(info, 0, 1, &o.chunk_size) || !ReadSize(info, 1, 1, &o.max_chunk_size) ||
      !ReadSize(info, 2, 0, &o.max_size) || !ReadInt32(info, 3, &kind) ||
      !ReadSize(info, 4, 0, &o.strategy.min_block) || !ReadBool(info, 5, &safe) ||
      !ReadBool(info, 6, &o.huge_pages)) {
    return;
  }
  // Optional: 1 (byte-exact) when left out.
  if (info.Length() > 9 && !ReadSize(info, 9, 1, &o.strategy.alignment)) return;
  if (!info[7].IsArray() || !info[8].IsSymbol()) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_ARG_TYPE", "Expected an array and a symbol");
    return;
  }
  if (o.max_size == 0) o.max_size = UINT64_MAX;
  o.kind = static_cast<StrategyKind>(kind);
  auto core = ScalableAllocator::Create(o);
  if (!core) {
    ThrowCoded(env, ErrorKind::kRange, "ERR_OUT_OF_RANGE", "The chunk sizes are not supported by this strategy");
    return;
  }
  state_ = std::make_shared<ScalableState>();
  state_->env = env;
  state_->core = std::move(core);
  state_->fast = !safe;
  state_->core->set_listener(state_.get());
  napi_create_reference(env, info[7], 1, &state_->chunks);
  napi_create_reference(env, info[8], 1, &state_->id_key);
  table_ = AddonData::Of(env)->scalables;
  id_ = table_->Add(state_);
  info.This().As<Napi::Object>().TypeTag(&ClassTag(kClassId));
}

ScalableAllocatorWrap::~ScalableAllocatorWrap() {
  if (table_) table_->Remove(id_);
}

Napi::Value ScalableAllocatorWrap::Id(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), id_);
}

Napi::Value ScalableAllocatorWrap::MallocTracked(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ScalableState& state = *state_;
  uint64_t size, group, id;
  bool report;
  if (!ReadSize(info, 0, 1, &size) || !ReadSize(info, 2, 0, &group) || !ReadBool(info, 3, &report) ||
      !ReadSize(info, 4, 1, &id)) {
    return Napi::Value();
  }
  if (state.tracked.count(id) != 0) {  // ids come from the JS half's counter; never two blocks per id
    ThrowCoded(env, ErrorKind::kRange, "ERR_INVALID_ARG_VALUE", "The block id is in use");
    return Napi::Value();
  }
  state.EndBorrow();
  state.FlushReleases();
  if (size > kMaxChunkBytes) return Napi::Number::New(env, static_cast<double>(kCapReached));
  const int64_t handle = state.core->Malloc(size);
  if (handle < 0) return Napi::Number::New(env, static_cast<double>(handle));
  const uint32_t chunk = static_cast<uint32_t>(static_cast<uint64_t>(handle) >> 32);
  const uint64_t offset = static_cast<uint64_t>(handle) & 0xFFFFFFFFull;
  std::string stack = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : std::string();
  auto* block = new TrackedBlock{state_, state.core->chunk(chunk)->region(), id, chunk, offset,
                                 LiveRanges(size), group, std::move(stack), report};
  napi_value ab = NewBlockBuffer(state, block, FinalizeTracked);
  if (ab == nullptr) {
    state.core->Free(chunk, offset, size);
    ThrowCoded(env, ErrorKind::kPlain, "ERR_POOLMEM_OUT_OF_MEMORY", "Cannot create an ArrayBuffer");
    return Napi::Value();
  }
  state.tracked.emplace(id, block);
  return Napi::Value(env, ab);
}

Napi::Value ScalableAllocatorWrap::FreeTracked(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ScalableState& state = *state_;
  uint64_t id, offset, size;
  if (!ReadSize(info, 0, 0, &id) || !ReadSize(info, 1, 0, &offset) || !ReadSize(info, 2, 0, &size)) {
    return Napi::Value();
  }
  state.EndBorrow();
  auto it = state.tracked.find(id);
  if (it == state.tracked.end()) return Status(env, FreeStatus::kDoubleFree);
  TrackedBlock* block = it->second;
  const FreeStatus status = block->live.Release(offset, size);
  if (status != FreeStatus::kOk || size == 0) return Status(env, status);
  state.core->Free(block->chunk, block->offset + offset, size);
  if (block->live.empty()) {
    // Fully freed: detach our own buffer (found through the block's weak
    // reference, never taken from the caller) so stale views read length 0.
    // Its finalizer will find the block gone from the map.
    state.tracked.erase(it);
    DetachBlockBuffer(state, block);
  }
  return Status(env, FreeStatus::kOk);
}

Napi::Value ScalableAllocatorWrap::BorrowSafe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ScalableState& state = *state_;
  uint64_t size;
  if (!ReadSize(info, 0, 1, &size)) return Napi::Value();
  state.EndBorrow();
  if (size > kMaxChunkBytes) return Napi::Number::New(env, static_cast<double>(kCapReached));
  const int64_t handle = state.core->Borrow(size);
  if (handle < 0) return Napi::Number::New(env, static_cast<double>(handle));
  const Arena* chunk = state.core->chunk(static_cast<uint32_t>(static_cast<uint64_t>(handle) >> 32));
  auto* holder = new BorrowHolder{state_, chunk->region(), size};
  napi_value ab = nullptr;
  uint8_t* data = chunk->region()->data() + (static_cast<uint64_t>(handle) & 0xFFFFFFFFull);
  if (napi_create_external_arraybuffer(env, data, static_cast<size_t>(size), FinalizeBorrow, holder, &ab) != napi_ok) {
    delete holder;
    return Napi::Value();
  }
  state.Adjust(-static_cast<int64_t>(size));
  napi_create_reference(env, ab, 0, &state.borrowed);
  state.borrow_holder = holder;
  return Napi::Value(env, ab);
}

Napi::Value ScalableAllocatorWrap::Trim(const Napi::CallbackInfo& info) {
  state_->EndBorrow();
  state_->FlushReleases();
  const uint64_t released = state_->core->Trim();
  return Napi::Number::New(info.Env(), static_cast<double>(released));
}

Napi::Value ScalableAllocatorWrap::Recycle(const Napi::CallbackInfo& info) {
  state_->EndBorrow();
  DetachTracked(*state_);
  state_->core->Recycle();
  return info.Env().Undefined();
}

Napi::Value ScalableAllocatorWrap::Close(const Napi::CallbackInfo& info) {
  ScalableState& state = *state_;
  if (state.closed) return info.Env().Undefined();
  state.closed = true;
  state.EndBorrow();
  DetachTracked(state);
  state.core->Recycle();
  state.core->Trim();  // releases (and detaches) every chunk
  state.FlushReleases();
  return info.Env().Undefined();
}

Napi::Value ScalableAllocatorWrap::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  state_->FlushReleases();  // chunks a GC fallback released: detach them now
  const ScalableStats s = state_->core->stats();
  const double values[] = {static_cast<double>(s.chunks),       static_cast<double>(s.size),
                           static_cast<double>(s.used_size),    static_cast<double>(s.free_size),
                           static_cast<double>(s.total_malloc), static_cast<double>(s.total_free),
                           static_cast<double>(s.allocations),  static_cast<double>(state_->leaks)};
  auto out = Napi::Array::New(env, 8);
  for (uint32_t i = 0; i < 8; ++i) out.Set(i, Napi::Number::New(env, values[i]));
  return out;
}

Napi::Value ScalableAllocatorWrap::TakeLeaks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<LeakRecord>& pending = state_->leaks_pending;
  if (pending.empty()) return env.Undefined();
  auto out = Napi::Array::New(env, pending.size());
  for (uint32_t i = 0; i < pending.size(); ++i) {
    auto record = Napi::Array::New(env, 3);
    record.Set(uint32_t{0}, Napi::Number::New(env, static_cast<double>(pending[i].bytes)));
    record.Set(uint32_t{1}, Napi::Number::New(env, static_cast<double>(pending[i].group)));
    if (!pending[i].stack.empty()) record.Set(uint32_t{2}, Napi::String::New(env, pending[i].stack));
    out.Set(i, record);
  }
  pending.clear();
  return out;
}

Napi::Value ScalableAllocatorWrap::Chunks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Array::New(env);
  uint32_t n = 0;
  for (uint32_t id = 0; id < state_->core->chunk_slots(); ++id) {
    const Arena* chunk = state_->core->chunk(id);
    if (chunk == nullptr) continue;
    auto row = Napi::Array::New(env, 3);
    row.Set(uint32_t{0}, Napi::Number::New(env, id));
    row.Set(uint32_t{1}, Napi::Number::New(env, static_cast<double>(chunk->size())));
    row.Set(uint32_t{2}, Napi::Number::New(env, static_cast<double>(chunk->free_size())));
    out.Set(n++, row);
  }
  return out;
}

Napi::Value ScalableAllocatorWrap::Validate(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), state_->core->Validate());
}

}  // namespace poolmem::addon
