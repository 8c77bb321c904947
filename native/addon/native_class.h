// JS classes over a native object, on the C API (napi_helpers.h says why not
// node-addon-api's ObjectWrap: its constructor path aborts when napi_wrap
// fails on a terminating environment). A class T provides:
//   static constexpr int kClassId;       // its type tag (napi_helpers.h)
//   static constexpr size_t kArgs;       // constructor arguments read
//   bool Init(napi_env, const Args<kArgs>&);  // false after throwing, or quietly
// and its methods as `napi_value T::M(napi_env, const Args<N>&)`. Each method
// checks its receiver's tag before unwrapping, so a foreign receiver gives
// ERR_INVALID_THIS and never reaches a member function. The native object is
// deleted by the wrapper's (basic) finalizer.
#pragma once

#include <memory>

#include "napi_helpers.h"

namespace poolmem::addon {

template <class T>
void DeleteNative(napi_env, void* data, void*) {
  delete static_cast<T*>(data);
}

template <class T>
napi_value Construct(napi_env env, napi_callback_info info) {
  Args<T::kArgs> args;
  if (!args.Read(env, info)) return nullptr;
  napi_value target = nullptr;
  if (napi_get_new_target(env, info, &target) != napi_ok || target == nullptr) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_THIS", "Class constructor cannot be invoked without 'new'");
    return nullptr;
  }
  auto native = std::make_unique<T>();
  if (!native->Init(env, args)) return nullptr;
  // Tag first: an object tagged but never wrapped unwraps to nothing, so its
  // methods refuse it; wrapped means the finalizer owns the native object.
  if (!Tag(env, args.self, T::kClassId)) return nullptr;
  if (napi_wrap(env, args.self, native.get(), DeleteNative<T>, nullptr, nullptr) != napi_ok) return nullptr;
  native.release();
  return args.self;
}

// The receiver's native object after checking its tag; nullptr after throwing
// ERR_INVALID_THIS (or quietly, when the environment is going away).
template <class T>
T* Unwrap(napi_env env, napi_value self) {
  bool ok = false;
  void* raw = nullptr;
  if (napi_check_object_type_tag(env, self, &ClassTag(T::kClassId), &ok) != napi_ok || !ok ||
      napi_unwrap(env, self, &raw) != napi_ok || raw == nullptr) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_THIS", "Value of \"this\" must be of the expected type");
    return nullptr;
  }
  return static_cast<T*>(raw);
}

template <class T, size_t N, napi_value (T::*Fn)(napi_env, const Args<N>&)>
napi_value CheckedCallback(napi_env env, napi_callback_info info) {
  Args<N> args;
  if (!args.Read(env, info)) return nullptr;
  T* self = Unwrap<T>(env, args.self);
  return self == nullptr ? nullptr : (self->*Fn)(env, args);
}

// A prototype method descriptor for DefineNativeClass.
template <class T, size_t N, napi_value (T::*Fn)(napi_env, const Args<N>&)>
napi_property_descriptor Method(const char* name) {
  return {name, nullptr, CheckedCallback<T, N, Fn>, nullptr, nullptr, nullptr, napi_default_method, nullptr};
}

// The constructor, or nullptr when the environment cannot make it.
template <class T, size_t M>
napi_value DefineNativeClass(napi_env env, const char* name, const napi_property_descriptor (&methods)[M]) {
  napi_value ctor = nullptr;
  if (napi_define_class(env, name, NAPI_AUTO_LENGTH, Construct<T>, nullptr, M, methods, &ctor) != napi_ok) {
    return nullptr;
  }
  return ctor;
}

}  // namespace poolmem::addon
