// Module registration: one line per exported native class. Init uses checked
// C calls too (napi_helpers.h): a worker terminated while it loads the addon
// gets an incomplete exports object, never a process abort.
#include <node_api.h>

#include "../core/os/os_memory.h"
#include "../core/strategies/range_strategy.h"
#include "addon_data.h"
#include "arena_wrap.h"
#include "bound_function.h"
#include "contract.h"
#include "process_allocator_wrap.h"
#include "range_allocator_wrap.h"
#include "scalable_allocator_wrap.h"
#include "slab_wrap.h"

namespace poolmem::addon {

namespace {

void DeleteAddonData(napi_env, void* data, void*) { delete static_cast<AddonData*>(data); }

napi_value LiveRegions(napi_env env, napi_callback_info) {
  return Number(env, static_cast<double>(MappedRegion::LiveCount()));
}

// V8's own count of external memory (ArrayBuffer backing stores plus every
// napi_adjust_external_memory): process.memoryUsage().external leaves the
// adjustments out on Node 20, so tests read it here.
napi_value V8ExternalMemory(napi_env env, napi_callback_info) {
  int64_t total = 0;
  if (napi_adjust_external_memory(env, 0, &total) != napi_ok) return nullptr;
  return Number(env, static_cast<double>(total));
}

// What this addon instance reports through napi_adjust_external_memory (never below 0).
napi_value AddonExternalMemory(napi_env env, napi_callback_info) {
  AddonData* data = AddonData::Of(env);
  return data == nullptr ? nullptr : Number(env, static_cast<double>(data->external->reported()));
}

napi_value Strategies(napi_env env, napi_callback_info) {
  napi_value out = NewArray(env);
  uint32_t i = 0;
  for (std::string_view name : AvailableStrategies()) {
    if (!SetElement(out, env, i++, String(env, name.data(), name.size()))) return nullptr;
  }
  return out;
}

}  // namespace

napi_value Init(napi_env env, napi_value exports) {
  auto* data = new AddonData();
  if (napi_set_instance_data(env, data, DeleteAddonData, nullptr) != napi_ok) {
    delete data;
    return nullptr;
  }
  const bool ok = ExportClass<RangeAllocatorWrap>(env, exports) &&
                  ExportClass<ArenaWrap>(env, exports) &&
                  ArenaWrap::ExportFastPath(env, exports) &&
                  ExportClass<SlabWrap>(env, exports) &&
                  ExportClass<SlabLedgerWrap>(env, exports) &&
                  ProcessAllocatorWrap::Export(env, exports) &&
                  ExportClass<ScalableAllocatorWrap>(env, exports) &&
                  ExportScalableFastPath(env, exports) &&
                  SetNamed(env, exports, "liveRegions", PlainFunction(env, "liveRegions", LiveRegions)) &&
                  SetNamed(env, exports, "v8ExternalMemory", PlainFunction(env, "v8ExternalMemory", V8ExternalMemory)) &&
                  SetNamed(env, exports, "addonExternalMemory",
                           PlainFunction(env, "addonExternalMemory", AddonExternalMemory)) &&
                  SetNamed(env, exports, "strategies", PlainFunction(env, "strategies", Strategies)) &&
                  ExportContract(env, exports);
  return ok ? exports : nullptr;
}

}  // namespace poolmem::addon

NAPI_MODULE_INIT() { return poolmem::addon::Init(env, exports); }
