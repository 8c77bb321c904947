// Shared glue for every *_wrap: receiver type tags, coded errors and argument
// reading. The JS layer validates arguments first; these checks exist so that
// calling the raw binding with garbage throws instead of crashing.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>

namespace poolmem::addon {

// Throws a TypeError/RangeError/Error with a `code` property.
enum class ErrorKind { kType, kRange, kPlain };
void ThrowCoded(napi_env env, ErrorKind kind, const char* code, const char* message);

// A tag per native class, random per load of this library, so a receiver
// from another class (or another copy of the addon) is never unwrapped.
const napi_type_tag& ClassTag(int class_id);
enum ClassId {
  kRangeAllocatorClass = 0, kArenaClass = 1, kSafeBufferClass = 2,
  kSlabClass, kSlabViewClass, kProcessChunkClass,  // issue #5: BytePool slabs, alloc/free
  kScalableAllocatorClass,                         // issue #4: ScalableAllocator
  kClassCount
};

// Unwraps info.This() after checking its tag; throws ERR_INVALID_THIS and
// returns nullptr otherwise.
template <class T>
T* UnwrapTagged(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  napi_value self = info.This();
  bool ok = false;
  if (napi_check_object_type_tag(env, self, &ClassTag(T::kClassId), &ok) != napi_ok || !ok) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_THIS", "Value of \"this\" must be of the expected type");
    return nullptr;
  }
  void* raw = nullptr;
  if (napi_unwrap(env, self, &raw) != napi_ok || raw == nullptr) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_THIS", "Value of \"this\" must be of the expected type");
    return nullptr;
  }
  return static_cast<T*>(raw);
}

// Prototype method adapter: the tag is checked before anything is unwrapped,
// so a foreign receiver never reaches a member function.
template <class T, Napi::Value (T::*Method)(const Napi::CallbackInfo&)>
napi_value CheckedCallback(napi_env env, napi_callback_info raw) {
  Napi::CallbackInfo info(env, raw);
  T* self = UnwrapTagged<T>(info);
  if (self == nullptr) return nullptr;
  return (self->*Method)(info);
}

template <class T, Napi::Value (T::*Method)(const Napi::CallbackInfo&)>
Napi::ClassPropertyDescriptor<T> CheckedMethod(const char* name) {
  napi_property_descriptor desc{name,    nullptr, CheckedCallback<T, Method>, nullptr, nullptr,
                                nullptr, napi_default_method, nullptr};
  return Napi::ClassPropertyDescriptor<T>(desc);
}

// Reads a byte count: an integer in [min, 2^53-1]. Throws
// ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE and returns false otherwise.
// Inline: it sits on the malloc/free hot path.
inline bool ReadSizeValue(napi_env env, napi_value value, uint64_t min, uint64_t* out) {
  double d;
  if (napi_get_value_double(env, value, &d) != napi_ok) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_ARG_TYPE", "The argument must be of type number");
    return false;
  }
  constexpr double kMaxSafe = 9007199254740991.0;
  if (!(d >= static_cast<double>(min) && d <= kMaxSafe) || std::floor(d) != d) {
    ThrowCoded(env, ErrorKind::kRange, "ERR_OUT_OF_RANGE", "The argument is out of range");
    return false;
  }
  *out = static_cast<uint64_t>(d);
  return true;
}

inline bool ReadSize(const Napi::CallbackInfo& info, size_t i, uint64_t min, uint64_t* out) {
  return ReadSizeValue(info.Env(), info[i], min, out);
}
bool ReadInt32(const Napi::CallbackInfo& info, size_t i, int32_t* out);
bool ReadBool(const Napi::CallbackInfo& info, size_t i, bool* out);

}  // namespace poolmem::addon
