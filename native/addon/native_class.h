// JS classes over a native object, on the C API (napi_helpers.h says why not
// node-addon-api's ObjectWrap: its constructor path aborts when napi_wrap
// fails on a terminating environment). A class T provides:
//   static constexpr int kClassId;       // its type tag (napi_helpers.h)
//   static constexpr size_t kArgs;       // constructor arguments read
//   static constexpr const char* kName;  // the export's (and the class's) name
//   static constexpr napi_property_descriptor kMethods[];  // Method<&T::M>("m"), ...
//     (after the methods it names: a static member's initializer sees only
//     what the class declares before it)
//   bool Init(napi_env, const Args<kArgs>&);  // false after throwing, or quietly
// and its methods as `napi_value T::M(napi_env, const Args<N>&)`; ExportClass<T>
// does the rest. Each method checks its receiver's tag before unwrapping, so
// a foreign receiver gives ERR_INVALID_THIS and never reaches a member
// function. The native object is deleted by the wrapper's (basic) finalizer.
#pragma once

#include <iterator>
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

// What a method's member pointer says: its class and how many arguments it reads.
template <class M>
struct MethodOf;
template <class T, size_t N>
struct MethodOf<napi_value (T::*)(napi_env, const Args<N>&)> {
  using Class = T;
  static constexpr size_t kArgs = N;
};

template <auto Fn>
napi_value CheckedCallback(napi_env env, napi_callback_info info) {
  using M = MethodOf<decltype(Fn)>;
  Args<M::kArgs> args;
  if (!args.Read(env, info)) return nullptr;
  typename M::Class* self = Unwrap<typename M::Class>(env, args.self);
  return self == nullptr ? nullptr : (self->*Fn)(env, args);
}

// A prototype method descriptor for a class's kMethods.
template <auto Fn>
constexpr napi_property_descriptor Method(const char* name) {
  return {name, nullptr, CheckedCallback<Fn>, nullptr, nullptr, nullptr, napi_default_method, nullptr};
}

// Defines T's class and sets it on `exports` as T::kName; false when the
// environment cannot.
template <class T>
bool ExportClass(napi_env env, napi_value exports) {
  napi_value ctor = nullptr;
  return napi_define_class(env, T::kName, NAPI_AUTO_LENGTH, Construct<T>, nullptr, std::size(T::kMethods),
                           T::kMethods, &ctor) == napi_ok &&
         SetNamed(env, exports, T::kName, ctor);
}

}  // namespace poolmem::addon
