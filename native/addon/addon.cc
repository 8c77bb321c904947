// Module registration: one line per exported native class.
#include <napi.h>

#include "../core/os_memory.h"
#include "../core/range_strategy.h"
#include "addon_data.h"
#include "arena_wrap.h"
#include "process_allocator_wrap.h"
#include "range_allocator_wrap.h"
#include "slab_wrap.h"
#include "scalable_allocator_wrap.h"

namespace poolmem::addon {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  napi_set_instance_data(
      env, new AddonData(), [](node_api_basic_env, void* data, void*) { delete static_cast<AddonData*>(data); },
      nullptr);
  exports.Set("RangeAllocatorHandle", RangeAllocatorWrap::Define(env));
  exports.Set("ArenaHandle", ArenaWrap::Define(env));
  ArenaWrap::ExportFastPath(env, exports);
  exports.Set("SlabHandle", SlabWrap::Define(env));
  ProcessAllocatorWrap::Export(env, exports);
  exports.Set("ScalableAllocatorHandle", ScalableAllocatorWrap::Define(env));
  ExportScalableFastPath(env, exports);
  exports.Set("liveRegions", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return Napi::Number::New(info.Env(), static_cast<double>(MappedRegion::LiveCount()));
              }));
  // V8's own count of external memory (ArrayBuffer backing stores plus every
  // napi_adjust_external_memory): process.memoryUsage().external leaves the
  // adjustments out on Node 20, so tests read it here.
  exports.Set("v8ExternalMemory", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                int64_t total = 0;
                napi_adjust_external_memory(info.Env(), 0, &total);
                return Napi::Number::New(info.Env(), static_cast<double>(total));
              }));
  exports.Set("strategies", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                auto names = AvailableStrategies();
                auto out = Napi::Array::New(info.Env(), names.size());
                for (uint32_t i = 0; i < names.size(); ++i) {
                  out.Set(i, Napi::String::New(info.Env(), names[i].data(), names[i].size()));
                }
                return out;
              }));
  return exports;
}

NODE_API_MODULE(poolmem, Init)

}  // namespace poolmem::addon
