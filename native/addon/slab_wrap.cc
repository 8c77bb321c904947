// SlabWrap: the chunk ArrayBuffer and per-slot ArrayBuffers over one region.
#include "slab_wrap.h"

namespace poolmem::addon {

// One per-slot ArrayBuffer. Owned by that ArrayBuffer's finalizer.
struct SlabView {
  std::shared_ptr<SlabState> state;
  napi_ref weak;  // to the ArrayBuffer, for close()
  int64_t length;
  bool uncounted;  // its bytes are taken off V8's count (SlabState::uncounted)
};

namespace {

void FinalizeChunk(Napi::BasicEnv, void*, std::shared_ptr<MappedRegion>* region) {
  delete region;  // unmaps when this was the last holder
}

// Gives back to V8's count what View() took off, once.
void Recount(napi_env env, SlabView* view) {
  if (!view->uncounted) return;
  int64_t ignored;
  napi_adjust_external_memory(env, view->length, &ignored);
  view->state->uncounted -= static_cast<uint64_t>(view->length);
  view->uncounted = false;
}

// Runs on a later turn after GC, after close()'s detach, or at teardown.
void FinalizeView(Napi::BasicEnv env, void*, SlabView* view) {
  Recount(env, view);  // V8 has stopped counting this ArrayBuffer
  view->state->views.erase(view);
  napi_delete_reference(env, view->weak);
  delete view;
}

}  // namespace

Napi::Function SlabWrap::Define(Napi::Env env) {
  using W = SlabWrap;
  return DefineClass(env, "SlabHandle",
                     {
                         CheckedMethod<W, &W::Chunk>("chunk"),
                         CheckedMethod<W, &W::View>("view"),
                         CheckedMethod<W, &W::Views>("views"),
                         CheckedMethod<W, &W::Close>("close"),
                     });
}

SlabWrap::SlabWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SlabWrap>(info) {
  Napi::Env env = info.Env();
  uint64_t size = 0;
  bool huge = false;
  if (!ReadSize(info, 0, 1, &size) || !ReadBool(info, 1, &huge)) return;
  std::shared_ptr<MappedRegion> region = MappedRegion::Map(size, huge);
  if (!region) {
    ThrowCoded(env, ErrorKind::kPlain, "ERR_POOLMEM_OUT_OF_MEMORY", "Cannot reserve slab memory");
    return;
  }
  state_ = std::make_shared<SlabState>();
  state_->region = region;
  auto chunk = Napi::ArrayBuffer::New(env, region->data(), static_cast<size_t>(size), FinalizeChunk,
                                      new std::shared_ptr<MappedRegion>(region));
  if (env.IsExceptionPending()) return;
  chunk.TypeTag(&ClassTag(kSlabClass));
  chunk_ = Napi::Persistent(chunk);
  info.This().As<Napi::Object>().TypeTag(&ClassTag(kClassId));
}

Napi::Value SlabWrap::Chunk(const Napi::CallbackInfo& info) {
  return chunk_.IsEmpty() ? info.Env().Undefined() : chunk_.Value();
}

Napi::Value SlabWrap::View(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t offset, length;
  if (!ReadSize(info, 0, 0, &offset) || !ReadSize(info, 1, 1, &length)) return Napi::Value();
  const uint64_t size = state_->closed ? 0 : state_->region->size();
  if (offset > size || length > size - offset) {
    ThrowCoded(env, ErrorKind::kRange, "ERR_OUT_OF_RANGE", "The slot is outside the slab");
    return Napi::Value();
  }
  auto* view = new SlabView{state_, nullptr, static_cast<int64_t>(length), false};
  // The view's own shared_ptr (through state) keeps the region mapped.
  auto ab = Napi::ArrayBuffer::New(env, state_->region->data() + offset, static_cast<size_t>(length),
                                   FinalizeView, view);
  if (env.IsExceptionPending()) {
    delete view;
    return Napi::Value();
  }
  ab.TypeTag(&ClassTag(kSlabViewClass));
  napi_create_reference(env, ab, 0, &view->weak);
  // The chunk ArrayBuffer already counts these bytes as external memory; a
  // second count per tracked slot made V8 run a full GC every 64 MiB of
  // tracked 1 MiB buffers (getBuffer+release at 1 MiB: 3.8 us instead of ~0.1).
  // Within the budget only (SlabState::uncounted): past it, a view counts twice.
  if (!state_->closed && state_->uncounted + length <= state_->region->size()) {
    int64_t ignored;
    napi_adjust_external_memory(env, -static_cast<int64_t>(length), &ignored);
    state_->uncounted += length;
    view->uncounted = true;
  }
  state_->views.insert(view);
  return ab;
}

Napi::Value SlabWrap::Views(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Array::New(env);
  uint32_t i = 0;
  for (SlabView* view : state_->views) {
    napi_value ab = nullptr;
    napi_get_reference_value(env, view->weak, &ab);
    if (ab != nullptr) out.Set(i++, Napi::Value(env, ab));
  }
  return out;
}

Napi::Value SlabWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (state_->closed) return env.Undefined();
  state_->closed = true;
  // Views first: their bytes go back to V8's count before the chunk's leave it.
  for (SlabView* view : state_->views) {
    Recount(env, view);
    napi_value ab = nullptr;
    napi_get_reference_value(env, view->weak, &ab);
    if (ab != nullptr) napi_detach_arraybuffer(env, ab);
  }
  if (!chunk_.IsEmpty()) {
    chunk_.Value().Detach();  // the region lives until every finalizer has run
    chunk_.Reset();
  }
  // Detached views never touch the bytes again; the chunk's finalizer holds
  // the last reference, so the region is unmapped on the next turn.
  state_->region.reset();
  return env.Undefined();
}

}  // namespace poolmem::addon
