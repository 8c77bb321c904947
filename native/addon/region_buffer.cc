// Region ArrayBuffers: the one finalizer that drops a region share, and the
// detach helpers.
#include "region_buffer.h"

namespace poolmem::addon {

namespace {

void DropRegionShare(napi_env, void*, void* hint) {
  delete static_cast<std::shared_ptr<MappedRegion>*>(hint);  // unmaps when this was the last holder
}

}  // namespace

napi_value RegionArrayBuffer(napi_env env, const std::shared_ptr<MappedRegion>& region) {
  auto* share = new std::shared_ptr<MappedRegion>(region);
  bool ours = false;
  napi_value ab = NewExternalArrayBuffer(env, region->data(), static_cast<size_t>(region->size()), DropRegionShare,
                                         share, &ours);
  if (ab == nullptr && ours) delete share;
  return ab;
}

void DetachReferenced(napi_env env, napi_ref ref) { Detach(env, Deref(env, ref)); }

void DetachAndDrop(napi_env env, napi_ref* ref) {
  if (*ref == nullptr) return;
  DetachReferenced(env, *ref);
  napi_delete_reference(env, *ref);
  *ref = nullptr;
}

}  // namespace poolmem::addon
