// ArrayBuffers over mapped memory, made and detached in one place. Each holds
// a region share (directly, or through the block record its finalizer owns),
// so memory stays mapped while JS can reach it (docs/design.md, Ownership and
// lifetime rules). Detaching goes through references: only ArrayBuffers this
// addon made are ever detached.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <memory>

#include "../core/os/os_memory.h"
#include "napi_helpers.h"

namespace poolmem::addon {

// An external ArrayBuffer over the whole region; nullptr on failure.
napi_value RegionArrayBuffer(napi_env env, const std::shared_ptr<MappedRegion>& region);

// An external ArrayBuffer over [data, data + length) whose `finalize` owns
// `block` (a struct with a `napi_ref weak` member, which is set to a weak
// reference to the buffer). nullptr on failure, and then the block is gone:
// deleted here when Node refused before taking it, else by its finalizer
// (which must cope with a buffer that was never registered anywhere).
template <class Block>
napi_value BlockArrayBuffer(napi_env env, uint8_t* data, uint64_t length, Block* block, napi_finalize finalize) {
  bool ours = false;
  napi_value ab = NewExternalArrayBuffer(env, data, static_cast<size_t>(length), finalize, block, &ours);
  if (ab == nullptr) {
    if (ours) delete block;
    return nullptr;
  }
  block->weak = NewRef(env, ab, 0);
  return ab;
}

// Detaches the ArrayBuffer `ref` refers to, if it is still alive.
void DetachReferenced(napi_env env, napi_ref ref);
// DetachReferenced, then deletes the reference and clears *ref.
void DetachAndDrop(napi_env env, napi_ref* ref);

}  // namespace poolmem::addon
