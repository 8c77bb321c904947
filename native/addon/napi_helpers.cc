// Coded errors, per-load type tags and argument readers for the wraps.
#include "napi_helpers.h"

#include <chrono>
#include <cstdint>
#include <random>

namespace poolmem::addon {

void ThrowCoded(napi_env env, ErrorKind kind, const char* code, const char* message) {
  switch (kind) {
    case ErrorKind::kType: napi_throw_type_error(env, code, message); break;
    case ErrorKind::kRange: napi_throw_range_error(env, code, message); break;
    case ErrorKind::kPlain: napi_throw_error(env, code, message); break;
  }
}

const napi_type_tag& ClassTag(int class_id) {
  // Tags only need to differ between two copies of the addon in one process:
  // the seed mixes where this copy's code was loaded with the load time. Not
  // std::random_device: statically linked into a prebuild, it would need a
  // newer glibc (arc4random, getentropy) than the one prebuilds target.
  static const auto tags = [] {
    static const char anchor = 0;
    const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
    std::mt19937_64 gen(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&anchor)) ^
                        static_cast<uint64_t>(ticks));
    struct Tags { napi_type_tag t[kClassCount]; } out{};
    for (auto& t : out.t) t = {gen(), gen()};
    return out;
  }();
  return tags.t[class_id];
}

bool ReadInt32(const Napi::CallbackInfo& info, size_t i, int32_t* out) {
  if (napi_get_value_int32(info.Env(), info[i], out) != napi_ok) {
    ThrowCoded(info.Env(), ErrorKind::kType, "ERR_INVALID_ARG_TYPE", "The argument must be of type number");
    return false;
  }
  return true;
}

bool ReadBool(const Napi::CallbackInfo& info, size_t i, bool* out) {
  if (napi_get_value_bool(info.Env(), info[i], out) != napi_ok) {
    ThrowCoded(info.Env(), ErrorKind::kType, "ERR_INVALID_ARG_TYPE", "The argument must be of type boolean");
    return false;
  }
  return true;
}

}  // namespace poolmem::addon
