// The native contract: every number JS and native code must agree on (scratch
// slot indices, status codes, strategy kinds, limits), exported once at load
// as the frozen object `binding.contract`, each under one name, from the C++
// definitions themselves. lib/internal/native_contract.js reads it once; nothing in
// lib/ re-types a native value.
#pragma once

#include <node_api.h>

namespace poolmem::addon {

// binding.contract; false on failure.
bool ExportContract(napi_env env, napi_value exports);

}  // namespace poolmem::addon
