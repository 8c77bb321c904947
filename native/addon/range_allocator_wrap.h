// JS handle for a bare RangeStrategy (offsets only, no memory): the native
// half of lib/range_allocator.js.
#pragma once

#include <memory>

#include "../core/strategies/range_strategy.h"
#include "native_class.h"

namespace poolmem::addon {

class RangeAllocatorWrap {
 public:
  static constexpr int kClassId = kRangeAllocatorClass;
  static constexpr size_t kArgs = 1;
  static constexpr const char* kName = "RangeAllocatorHandle";
  // new ({ size, strategyKind, minBlock, alignment? })
  bool Init(napi_env env, const Args<kArgs>& args);

 private:
  napi_value Allocate(napi_env env, const Args<1>& args);  // (size) -> offset | -1
  napi_value Find(napi_env env, const Args<1>& args);      // (size) -> offset | -1
  napi_value Free(napi_env env, const Args<2>& args);      // (offset, size) -> FreeStatus
  napi_value Size(napi_env env, const Args<0>& args);
  napi_value FreeSize(napi_env env, const Args<0>& args);
  napi_value Blocks(napi_env env, const Args<0>& args);    // -> Float64Array [s0, e0, s1, e1, ...]
  napi_value Reset(napi_env env, const Args<1>& args);     // (size) -> true | false (unsupported size)
  napi_value Validate(napi_env env, const Args<0>& args);

  std::unique_ptr<RangeStrategy> strategy_;
  StrategyKind kind_ = StrategyKind::kTreap;
  StrategyOptions options_;

 public:
  static constexpr napi_property_descriptor kMethods[] = {
      Method<&RangeAllocatorWrap::Allocate>("allocate"), Method<&RangeAllocatorWrap::Find>("find"),
      Method<&RangeAllocatorWrap::Free>("free"),         Method<&RangeAllocatorWrap::Size>("size"),
      Method<&RangeAllocatorWrap::FreeSize>("freeSize"), Method<&RangeAllocatorWrap::Blocks>("blocks"),
      Method<&RangeAllocatorWrap::Reset>("reset"),       Method<&RangeAllocatorWrap::Validate>("validate"),
  };
};

}  // namespace poolmem::addon
