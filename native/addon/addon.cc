// Module registration: one line per exported native class.
#include <napi.h>

#include "../core/os_memory.h"
#include "../core/range_strategy.h"
#include "arena_wrap.h"
#include "range_allocator_wrap.h"
#include "scalable_allocator_wrap.h"

namespace poolmem::addon {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("RangeAllocatorHandle", RangeAllocatorWrap::Define(env));
  exports.Set("ArenaHandle", ArenaWrap::Define(env));
  exports.Set("ScalableAllocatorHandle", ScalableAllocatorWrap::Define(env));
  exports.Set("liveRegions", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return Napi::Number::New(info.Env(), static_cast<double>(MappedRegion::LiveCount()));
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
