// What this addon instance has told V8 through napi_adjust_external_memory,
// kept so the running total never goes below zero. V8 checks its own counter
// on every negative adjustment (Node 24: "Check failed: amount_before >=
// -delta") and keeps ArrayBuffer bytes apart from it, so the addon may only
// take back what it added itself. A site that wants its bytes off the count
// (an ArrayBuffer over memory another one already shows V8) calls Take and
// later Give(s back) exactly what Take returned. One per addon instance
// (isolate), shared by every site and kept alive by them.
#pragma once

#include <node_api.h>

#include <algorithm>
#include <cstdint>

namespace poolmem::addon {

class ExternalMemory {
 public:
  // Adds bytes V8 does not see otherwise (memory no ArrayBuffer shows).
  void Add(napi_env env, int64_t bytes) {
    if (bytes <= 0) return;
    Adjust(env, bytes);
    reported_ += bytes;
  }
  // Removes up to `bytes`, never more than is reported; returns what it removed.
  int64_t Take(napi_env env, int64_t bytes) {
    const int64_t taken = std::clamp<int64_t>(bytes, 0, reported_);
    if (taken == 0) return 0;
    Adjust(env, -taken);
    reported_ -= taken;
    return taken;
  }
  int64_t reported() const { return reported_; }

 private:
  static void Adjust(napi_env env, int64_t delta) {
    int64_t unused;
    napi_adjust_external_memory(env, delta, &unused);  // fails only for a bad env: nothing to undo
  }
  int64_t reported_ = 0;
};

}  // namespace poolmem::addon
