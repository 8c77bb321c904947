// Hot-path functions bound to native state. napi_create_function's `data`
// pointer carries the state (for hot paths: the addon instance's HandleTable),
// so a call needs no receiver unwrap and no type-tag lookup (together ~60-100
// ns per call, measured), and no receiver can confuse it: the function ignores
// `this`. Each function keeps its state alive through a shared_ptr released by
// the function's own finalizer. Create one per addon instance, not one per
// object: see handle_table.h for why call sites must see a single target.
#pragma once

#include <memory>

#include "napi_helpers.h"

namespace poolmem::addon {

template <class State>
void ReleaseBoundState(napi_env, void* data, void*) {
  delete static_cast<std::shared_ptr<State>*>(data);
}

// A JS function calling `callback` with the State* as its data; nullptr on failure.
template <class State>
napi_value BindFunction(napi_env env, const char* name, napi_callback callback, const std::shared_ptr<State>& state) {
  napi_value fn = nullptr;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, state.get(), &fn) != napi_ok) return nullptr;
  auto* holder = new std::shared_ptr<State>(state);
  if (napi_add_finalizer(env, fn, holder, ReleaseBoundState<State>, nullptr, nullptr) != napi_ok) {
    delete holder;
    return nullptr;  // the function is not returned, so it can never run with freed state
  }
  return fn;
}

// A plain function (no bound state); nullptr on failure.
inline napi_value PlainFunction(napi_env env, const char* name, napi_callback callback) {
  napi_value fn = nullptr;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &fn) == napi_ok ? fn : nullptr;
}

// The state a no-argument function made by BindFunction was bound to.
template <class State>
State* BoundData(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, nullptr, nullptr, &data) != napi_ok) return nullptr;
  return static_cast<State*>(data);
}

}  // namespace poolmem::addon
