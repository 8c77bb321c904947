// RangeAllocatorWrap: unwrap, check, one core call, convert back.
#include "range_allocator_wrap.h"

#include <vector>

namespace poolmem::addon {

Napi::Function RangeAllocatorWrap::Define(Napi::Env env) {
  using W = RangeAllocatorWrap;
  return DefineClass(env, "RangeAllocatorHandle",
                     {
                         CheckedMethod<W, &W::Allocate>("allocate"),
                         CheckedMethod<W, &W::Find>("find"),
                         CheckedMethod<W, &W::Free>("free"),
                         CheckedMethod<W, &W::Size>("size"),
                         CheckedMethod<W, &W::FreeSize>("freeSize"),
                         CheckedMethod<W, &W::Blocks>("blocks"),
                         CheckedMethod<W, &W::Reset>("reset"),
                         CheckedMethod<W, &W::Validate>("validate"),
                     });
}

RangeAllocatorWrap::RangeAllocatorWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<RangeAllocatorWrap>(info) {
  uint64_t size = 0;
  int32_t kind = 0;
  if (!ReadSize(info, 0, 0, &size) || !ReadInt32(info, 1, &kind) ||
      !ReadSize(info, 2, 0, &options_.min_block)) {
    return;
  }
  // Optional: 1 (byte-exact) when left out.
  if (info.Length() > 3 && !ReadSize(info, 3, 1, &options_.alignment)) return;
  kind_ = static_cast<StrategyKind>(kind);
  strategy_ = MakeRangeStrategy(kind_, size, options_);
  if (!strategy_) {
    ThrowCoded(info.Env(), ErrorKind::kRange, "ERR_OUT_OF_RANGE", "Unsupported strategy or size");
    return;
  }
  info.This().As<Napi::Object>().TypeTag(&ClassTag(kClassId));
}

Napi::Value RangeAllocatorWrap::Allocate(const Napi::CallbackInfo& info) {
  uint64_t size;
  if (!ReadSize(info, 0, 1, &size)) return Napi::Value();
  return Napi::Number::New(info.Env(), static_cast<double>(strategy_->Allocate(size)));
}

Napi::Value RangeAllocatorWrap::Find(const Napi::CallbackInfo& info) {
  uint64_t size;
  if (!ReadSize(info, 0, 1, &size)) return Napi::Value();
  return Napi::Number::New(info.Env(), static_cast<double>(strategy_->Find(size)));
}

Napi::Value RangeAllocatorWrap::Free(const Napi::CallbackInfo& info) {
  uint64_t offset, size;
  if (!ReadSize(info, 0, 0, &offset) || !ReadSize(info, 1, 0, &size)) return Napi::Value();
  return Napi::Number::New(info.Env(), static_cast<int32_t>(strategy_->Free(offset, size)));
}

Napi::Value RangeAllocatorWrap::Size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(strategy_->Size()));
}

Napi::Value RangeAllocatorWrap::FreeSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(strategy_->FreeSize()));
}

Napi::Value RangeAllocatorWrap::Blocks(const Napi::CallbackInfo& info) {
  std::vector<FreeRange> ranges;
  strategy_->Blocks(&ranges);
  auto out = Napi::Float64Array::New(info.Env(), ranges.size() * 2);
  for (size_t i = 0; i < ranges.size(); ++i) {
    out[2 * i] = static_cast<double>(ranges[i].start);
    out[2 * i + 1] = static_cast<double>(ranges[i].end);
  }
  return out;
}

Napi::Value RangeAllocatorWrap::Reset(const Napi::CallbackInfo& info) {
  uint64_t size;
  if (!ReadSize(info, 0, 0, &size)) return Napi::Value();
  // Build the replacement first so an unsupported size changes nothing.
  auto fresh = MakeRangeStrategy(kind_, size, options_);
  if (!fresh) return Napi::Boolean::New(info.Env(), false);
  strategy_ = std::move(fresh);
  return Napi::Boolean::New(info.Env(), true);
}

Napi::Value RangeAllocatorWrap::Validate(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), strategy_->Validate());
}

}  // namespace poolmem::addon
