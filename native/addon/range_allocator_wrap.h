// JS handle for a bare RangeStrategy (offsets only, no memory): the native
// half of lib/range_allocator.js.
#pragma once

#include <napi.h>

#include <memory>

#include "../core/range_strategy.h"
#include "napi_helpers.h"

namespace poolmem::addon {

class RangeAllocatorWrap : public Napi::ObjectWrap<RangeAllocatorWrap> {
 public:
  static constexpr int kClassId = kRangeAllocatorClass;
  static Napi::Function Define(Napi::Env env);
  // new (size, strategyKind, minBlock)
  explicit RangeAllocatorWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Allocate(const Napi::CallbackInfo& info);  // (size) -> offset | -1
  Napi::Value Find(const Napi::CallbackInfo& info);      // (size) -> offset | -1
  Napi::Value Free(const Napi::CallbackInfo& info);      // (offset, size) -> FreeStatus
  Napi::Value Size(const Napi::CallbackInfo& info);
  Napi::Value FreeSize(const Napi::CallbackInfo& info);
  Napi::Value Blocks(const Napi::CallbackInfo& info);    // -> Float64Array [s0, e0, s1, e1, ...]
  Napi::Value Reset(const Napi::CallbackInfo& info);     // (size) -> true | false (unsupported size)
  Napi::Value Validate(const Napi::CallbackInfo& info);

  std::unique_ptr<RangeStrategy> strategy_;
  StrategyKind kind_ = StrategyKind::kTreap;
  StrategyOptions options_;
};

}  // namespace poolmem::addon
