// SlabWrap: the chunk ArrayBuffer and per-slot ArrayBuffers over one region;
// SlabLedgerWrap: where safe views' finalizers leave their tokens for JS.
#include "slab_wrap.h"

#include "addon_data.h"
#include "region_buffer.h"
#include "safe_poison.h"

namespace poolmem::addon {

// One per-slot ArrayBuffer. Owned by that ArrayBuffer's finalizer.
struct SlabView {
  std::shared_ptr<SlabState> state;
  std::shared_ptr<MappedRegion> region;  // mapped until this view's buffer is finalized
  uint8_t* data;
  uint64_t length;
  std::shared_ptr<LedgerState> ledger;  // safe view: close() poisons it instead of detaching it
  uint32_t token;         // what the finalizer appends to the ledger
  napi_ref weak;          // to the ArrayBuffer, for close()
  uint64_t offset = 0;    // where in the region it starts
  int64_t uncounted = 0;  // bytes taken off the external-memory count for it
};

namespace {

// Runs on a later turn after GC, after close()'s detach, or at teardown; also
// for a view whose buffer failed to register (then it is in no set, and has
// no ledger: JS already took its slot back).
void FinalizeView(napi_env env, void*, void* hint) {
  auto* view = static_cast<SlabView*>(hint);
  // V8 has stopped counting this ArrayBuffer; give back what View() took off.
  view->state->external->Add(env, view->uncounted);
  view->state->views.erase(view);
  // The backing store is gone (after ArrayBuffer#transfer, the new one's):
  // nothing reaches the slot.
  if (view->ledger) {
    view->ledger->tokens.push_back(view->token);
    view->ledger->pending = static_cast<uint32_t>(view->ledger->tokens.size());
  }
  if (view->weak != nullptr) napi_delete_reference(env, view->weak);
  delete view;
}

}  // namespace

bool SlabWrap::Init(napi_env env, const Args<kArgs>& args) {
  uint64_t size = 0;
  bool huge = false;
  Options o;
  if (!o.Open(env, args[0]) || !o.Size("size", 1, &size) || !o.Bool("hugePages", &huge)) return false;
  AddonData* data = AddonData::Of(env);
  if (data == nullptr) return false;
  std::shared_ptr<MappedRegion> region = MappedRegion::Map(size, huge);
  if (!region) {
    ThrowCoded(env, ErrorKind::kPlain, "ERR_POOLMEM_OUT_OF_MEMORY", "Cannot reserve slab memory");
    return false;
  }
  env_ = env;
  state_ = std::make_shared<SlabState>();
  state_->region = region;
  state_->external = data->external;
  napi_value chunk = RegionArrayBuffer(env, region);
  if (!Tag(env, chunk, kSlabClass)) return false;
  chunk_ = NewRef(env, chunk, 1);
  return chunk_ != nullptr;
}

SlabWrap::~SlabWrap() {
  if (chunk_ != nullptr) napi_delete_reference(env_, chunk_);
}

napi_value SlabWrap::Chunk(napi_env env, const Args<0>&) {
  napi_value ab = Deref(env, chunk_);
  if (ab == nullptr) return Undefined(env);
  if (!chunk_taken_) {
    uint32_t count = 0;
    if (napi_reference_unref(env, chunk_, &count) != napi_ok) return nullptr;
    chunk_taken_ = true;
  }
  return ab;
}

namespace {

// Whether [offset, offset + length) lies in the open slab; throws otherwise.
bool InSlab(napi_env env, const SlabState& state, uint64_t offset, uint64_t length) {
  const uint64_t size = state.closed ? 0 : state.region->size();
  if (offset > size || length > size - offset) {
    ThrowCoded(env, ErrorKind::kRange, "ERR_OUT_OF_RANGE", "The slot is outside the slab");
    return false;
  }
  return true;
}

}  // namespace

napi_value SlabWrap::View(napi_env env, const Args<4>& args) {
  uint64_t offset, length;
  napi_valuetype ledger_type = napi_undefined;
  if (!ReadSizeValue(env, args[0], 0, &offset) || !ReadSizeValue(env, args[1], 1, &length) ||
      napi_typeof(env, args[2], &ledger_type) != napi_ok) {
    return nullptr;
  }
  std::shared_ptr<LedgerState> ledger;
  uint64_t token = 0;
  if (ledger_type != napi_undefined) {
    SlabLedgerWrap* wrap = Unwrap<SlabLedgerWrap>(env, args[2]);
    if (wrap == nullptr || !ReadSizeValue(env, args[3], 0, &token)) return nullptr;
    if (token > UINT32_MAX) {
      ThrowCoded(env, ErrorKind::kRange, "ERR_OUT_OF_RANGE", "The token must be a uint32");
      return nullptr;
    }
    ledger = wrap->state();
  }
  if (!InSlab(env, *state_, offset, length)) return nullptr;
  uint8_t* data = state_->region->data() + offset;
  // The view's own share keeps the region mapped, close() or not.
  auto* view = new SlabView{state_, state_->region, data, length, ledger, static_cast<uint32_t>(token), nullptr, offset};
  napi_value ab = BlockArrayBuffer(env, data, length, view, FinalizeView);
  if (!Tag(env, ab, kSlabViewClass)) {
    // The view goes with its finalizer (or is gone already when ab is null).
    // A failed call changes nothing: JS puts the slot back itself, so that
    // finalizer must not hand the slot's token to the ledger as well (a
    // drain would then free the slot again under its next owner).
    if (ab != nullptr) view->ledger.reset();
    return nullptr;
  }
  // The chunk ArrayBuffer already counts these bytes as external memory; a
  // second count per tracked slot made V8 run a full GC every 64 MiB of
  // tracked 1 MiB buffers. Only what this addon instance added itself can be
  // taken off, though (external_memory.h), so with nothing added the slot is
  // counted twice rather than the count going negative.
  view->uncounted = state_->external->Take(env, static_cast<int64_t>(length));
  state_->views.insert(view);
  return ab;
}

napi_value SlabWrap::Poison(napi_env env, const Args<2>& args) {
  uint64_t offset, length;
  if (!ReadSizeValue(env, args[0], 0, &offset) || !ReadSizeValue(env, args[1], 0, &length)) return nullptr;
  if (state_->closed) return Undefined(env);  // close() poisoned every safe view already
  if (!InSlab(env, *state_, offset, length)) return nullptr;
  poolmem::addon::Poison(state_->region->data() + offset, length);
  return Undefined(env);
}

napi_value SlabWrap::Views(napi_env env, const Args<0>&) {
  napi_value out = NewArray(env);
  uint32_t i = 0;
  for (SlabView* view : state_->views) {
    napi_value ab = Deref(env, view->weak);
    if (ab != nullptr && !SetElement(out, env, i++, ab)) return nullptr;
  }
  return out;
}

napi_value SlabWrap::Live(napi_env env, const Args<1>& args) {
  uint64_t offset;
  if (!ReadSizeValue(env, args[0], 0, &offset)) return nullptr;
  bool live = false;
  for (const SlabView* view : state_->views) live = live || view->offset == offset;
  return Boolean(env, live);
}

napi_value SlabWrap::Close(napi_env env, const Args<0>&) {
  if (state_->closed) return Undefined(env);
  state_->closed = true;
  DetachAndDrop(env, &chunk_);  // the region lives until every finalizer has run
  for (SlabView* view : state_->views) {
    if (view->ledger) {
      poolmem::addon::Poison(view->data, view->length);  // outstanding or held: freed now, still mapped
    } else {
      DetachReferenced(env, view->weak);
    }
  }
  // Detached views never touch the bytes again; the region is unmapped once
  // the chunk's and every safe view's finalizer have run.
  state_->region.reset();
  return Undefined(env);
}

// ---- SlabLedgerWrap ----

namespace {

void FinalizeLedgerCount(napi_env, void*, void* hint) {
  delete static_cast<std::shared_ptr<LedgerState>*>(hint);
}

}  // namespace

bool SlabLedgerWrap::Init(napi_env, const Args<kArgs>&) {
  state_ = std::make_shared<LedgerState>();
  return true;
}

napi_value SlabLedgerWrap::Count(napi_env env, const Args<0>&) {
  auto* share = new std::shared_ptr<LedgerState>(state_);
  bool ours = false;
  napi_value ab = NewExternalArrayBuffer(env, &state_->pending, sizeof(state_->pending), FinalizeLedgerCount, share, &ours);
  if (ab == nullptr && ours) delete share;
  return ab;
}

napi_value SlabLedgerWrap::Drain(napi_env env, const Args<0>&) {
  napi_value out = NewArray(env);
  if (out == nullptr) return nullptr;
  const std::vector<uint32_t>& tokens = state_->tokens;
  for (uint32_t i = 0; i < tokens.size(); i++) {
    if (!SetElement(out, env, i, Number(env, tokens[i]))) return nullptr;  // the ledger keeps them all
  }
  state_->tokens.clear();
  state_->pending = 0;
  return out;
}

}  // namespace poolmem::addon
