// RangeAllocatorWrap: unwrap, check, one core call, convert back.
#include "range_allocator_wrap.h"

#include <cstring>
#include <vector>

namespace poolmem::addon {

bool RangeAllocatorWrap::Init(napi_env env, const Args<kArgs>& args) {
  uint64_t size = 0;
  int32_t kind = 0;
  Options o;  // alignment: 1 (byte-exact) when left out
  if (!o.Open(env, args[0]) || !o.Size("size", 0, &size) || !o.Int32("strategyKind", &kind) ||
      !o.Size("minBlock", 0, &options_.min_block) || !o.OptionalSize("alignment", 1, &options_.alignment)) {
    return false;
  }
  kind_ = static_cast<StrategyKind>(kind);
  strategy_ = MakeRangeStrategy(kind_, size, options_);
  if (!strategy_) {
    ThrowCoded(env, ErrorKind::kRange, "ERR_OUT_OF_RANGE", "Unsupported strategy or size");
    return false;
  }
  return true;
}

napi_value RangeAllocatorWrap::Allocate(napi_env env, const Args<1>& args) {
  uint64_t size;
  if (!ReadSizeValue(env, args[0], 1, &size)) return nullptr;
  return Number(env, static_cast<double>(strategy_->Allocate(size)));
}

napi_value RangeAllocatorWrap::Find(napi_env env, const Args<1>& args) {
  uint64_t size;
  if (!ReadSizeValue(env, args[0], 1, &size)) return nullptr;
  return Number(env, static_cast<double>(strategy_->Find(size)));
}

napi_value RangeAllocatorWrap::Free(napi_env env, const Args<2>& args) {
  uint64_t offset, size;
  if (!ReadSizeValue(env, args[0], 0, &offset) || !ReadSizeValue(env, args[1], 0, &size)) return nullptr;
  return Int32(env, static_cast<int32_t>(strategy_->Free(offset, size)));
}

napi_value RangeAllocatorWrap::Size(napi_env env, const Args<0>&) {
  return Number(env, static_cast<double>(strategy_->Size()));
}

napi_value RangeAllocatorWrap::FreeSize(napi_env env, const Args<0>&) {
  return Number(env, static_cast<double>(strategy_->FreeSize()));
}

napi_value RangeAllocatorWrap::Blocks(napi_env env, const Args<0>&) {
  std::vector<FreeRange> ranges;
  strategy_->Blocks(&ranges);
  void* data = nullptr;
  napi_value ab = nullptr, out = nullptr;
  const size_t count = ranges.size() * 2;
  if (napi_create_arraybuffer(env, count * sizeof(double), &data, &ab) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, count, ab, 0, &out) != napi_ok) {
    return nullptr;
  }
  auto* values = static_cast<double*>(data);
  for (size_t i = 0; i < ranges.size(); ++i) {
    values[2 * i] = static_cast<double>(ranges[i].start);
    values[2 * i + 1] = static_cast<double>(ranges[i].end);
  }
  return out;
}

napi_value RangeAllocatorWrap::Reset(napi_env env, const Args<1>& args) {
  uint64_t size;
  if (!ReadSizeValue(env, args[0], 0, &size)) return nullptr;
  // Build the replacement first so an unsupported size changes nothing.
  auto fresh = MakeRangeStrategy(kind_, size, options_);
  if (!fresh) return Boolean(env, false);
  strategy_ = std::move(fresh);
  return Boolean(env, true);
}

napi_value RangeAllocatorWrap::Validate(napi_env env, const Args<0>&) {
  return Boolean(env, strategy_->Validate());
}

}  // namespace poolmem::addon
