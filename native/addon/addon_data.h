// Per-addon-instance (per worker thread) native data, reachable from every
// wrap through napi_get_instance_data. Shared-owned: wraps keep their share,
// so no teardown order (finalizers, cleanup hooks, instance data) can leave a
// wrap pointing at a freed table.
#pragma once

#include <node_api.h>

#include <memory>

#include "../core/pools/process_ledger.h"
#include "external_memory.h"
#include "handle_table.h"

namespace poolmem::addon {

struct ArenaState;
struct ScalableState;

struct AddonData {
  std::shared_ptr<HandleTable<ArenaState>> arenas = std::make_shared<HandleTable<ArenaState>>();
  std::shared_ptr<HandleTable<ScalableState>> scalables = std::make_shared<HandleTable<ScalableState>>();
  std::shared_ptr<ExternalMemory> external = std::make_shared<ExternalMemory>();
  // This instance's alloc() blocks: they go back when the instance does.
  std::shared_ptr<ProcessLedger> process_ledger = std::make_shared<ProcessLedger>(ProcessAllocator::Global());

  // Runs as the instance-data finalizer, when no JS of this thread can run
  // again: nothing can reach the alloc() blocks it still holds.
  ~AddonData() { process_ledger->ReturnAll(); }

  // The instance's data; set up once in Init (nullptr if that failed).
  static AddonData* Of(napi_env env) {
    void* data = nullptr;
    napi_get_instance_data(env, &data);
    return static_cast<AddonData*>(data);
  }
};

}  // namespace poolmem::addon
