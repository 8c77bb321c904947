// Per-addon-instance (per worker thread) native data, reachable from every
// wrap through napi_get_instance_data. Shared-owned: wraps keep their share,
// so no teardown order (finalizers, cleanup hooks, instance data) can leave a
// wrap pointing at a freed table.
#pragma once

#include <napi.h>

#include <memory>

#include "handle_table.h"

namespace poolmem::addon {

struct ArenaState;
struct ScalableState;

struct AddonData {
  std::shared_ptr<HandleTable<ArenaState>> arenas = std::make_shared<HandleTable<ArenaState>>();
  std::shared_ptr<HandleTable<ScalableState>> scalables = std::make_shared<HandleTable<ScalableState>>();

  // The instance's data; set up once in Init.
  static AddonData* Of(napi_env env) {
    void* data = nullptr;
    napi_get_instance_data(env, &data);
    return static_cast<AddonData*>(data);
  }
};

}  // namespace poolmem::addon
