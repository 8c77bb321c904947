// Checked Node-API calls, coded errors, per-load type tags and argument readers.
#include "napi_helpers.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdint>
#include <random>
#include <string>

namespace poolmem::addon {

// ---- values -------------------------------------------------------------------

napi_value Undefined(napi_env env) {
  napi_value out = nullptr;
  return napi_get_undefined(env, &out) == napi_ok ? out : nullptr;
}

napi_value Null(napi_env env) {
  napi_value out = nullptr;
  return napi_get_null(env, &out) == napi_ok ? out : nullptr;
}

napi_value Number(napi_env env, double value) {
  napi_value out = nullptr;
  return napi_create_double(env, value, &out) == napi_ok ? out : nullptr;
}

napi_value Int32(napi_env env, int32_t value) {
  napi_value out = nullptr;
  return napi_create_int32(env, value, &out) == napi_ok ? out : nullptr;
}

napi_value Boolean(napi_env env, bool value) {
  napi_value out = nullptr;
  return napi_get_boolean(env, value, &out) == napi_ok ? out : nullptr;
}

napi_value String(napi_env env, const char* data, size_t length) {
  napi_value out = nullptr;
  return napi_create_string_utf8(env, data, length, &out) == napi_ok ? out : nullptr;
}

napi_value NewArray(napi_env env) {
  napi_value out = nullptr;
  return napi_create_array(env, &out) == napi_ok ? out : nullptr;
}

bool SetElement(napi_value array, napi_env env, uint32_t index, napi_value value) {
  if (array == nullptr || value == nullptr) return false;
  // Defined, not assigned: an assignment looks up the prototype chain, where
  // a caller's indexed setter on Array.prototype would run in the middle of a
  // native call (and see, or keep, what this array is being filled with).
  char digits[16];
  const int length = std::snprintf(digits, sizeof digits, "%" PRIu32, index);
  napi_value key = String(env, digits, static_cast<size_t>(length));
  if (key == nullptr) return false;
  const napi_property_descriptor element{nullptr, key, nullptr, nullptr, nullptr, value, napi_default_jsproperty, nullptr};
  return napi_define_properties(env, array, 1, &element) == napi_ok;
}

napi_value ArrayOf(napi_env env, std::initializer_list<napi_value> values) {
  napi_value out = NewArray(env);
  uint32_t i = 0;
  for (napi_value v : values) {
    if (!SetElement(out, env, i++, v)) return nullptr;
  }
  return out;
}

bool SetNamed(napi_env env, napi_value object, const char* name, napi_value value) {
  if (value == nullptr) return false;
  // Defined, as SetElement: no setter a caller put on Object.prototype runs.
  const napi_property_descriptor property{name, nullptr, nullptr, nullptr, nullptr, value, napi_default_jsproperty, nullptr};
  return napi_define_properties(env, object, 1, &property) == napi_ok;
}

napi_value Deref(napi_env env, napi_ref ref) {
  napi_value out = nullptr;
  if (ref == nullptr || napi_get_reference_value(env, ref, &out) != napi_ok) return nullptr;
  return out;
}

napi_ref NewRef(napi_env env, napi_value value, uint32_t count) {
  napi_ref out = nullptr;
  return napi_create_reference(env, value, count, &out) == napi_ok ? out : nullptr;
}

void Detach(napi_env env, napi_value ab) {
  if (ab != nullptr) napi_detach_arraybuffer(env, ab);
}

napi_value NewExternalArrayBuffer(napi_env env, void* data, size_t length, napi_finalize finalize, void* hint,
                                  bool* hint_is_ours) {
  napi_value out = nullptr;
  const napi_status status = napi_create_external_arraybuffer(env, data, length, finalize, hint, &out);
  if (status == napi_ok && out != nullptr) {
    *hint_is_ours = false;
    return out;
  }
  // The preamble (pending exception or terminating environment) and the
  // sandbox check refuse before anything exists; later failures happen after
  // Node has taken the finalizer (it may even have run it already).
  *hint_is_ours = out == nullptr && (status == napi_pending_exception || status == napi_no_external_buffers_allowed ||
                                     status == napi_invalid_arg);
  return nullptr;
}

// ---- errors and tags ------------------------------------------------------------

void ThrowCoded(napi_env env, ErrorKind kind, const char* code, const char* message) {
  // The C calls fail quietly on a terminating environment: nothing to do then.
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

bool Tag(napi_env env, napi_value object, int class_id) {
  return object != nullptr && napi_type_tag_object(env, object, &ClassTag(class_id)) == napi_ok;
}

// ---- arguments --------------------------------------------------------------------

bool ReadBoolValue(napi_env env, napi_value value, bool* out) {
  if (napi_get_value_bool(env, value, out) != napi_ok) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_ARG_TYPE", "The argument must be of type boolean");
    return false;
  }
  return true;
}

// ---- options objects ---------------------------------------------------------------

namespace {

const char* TypeName(napi_valuetype type) {
  switch (type) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "type boolean";
    case napi_number: return "type number";
    case napi_string: return "type string";
    case napi_symbol: return "type symbol";
    case napi_object: return "an instance of Object";
    case napi_function: return "function";
    case napi_external: return "external";
    case napi_bigint: return "type bigint";
  }
  return "unknown";
}

}  // namespace

bool Options::Open(napi_env env, napi_value value) {
  env_ = env;
  object_ = value;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return false;
  if (type == napi_object) return true;
  const std::string message = std::string("The \"options\" argument must be of type object. Received ") + TypeName(type);
  ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_ARG_TYPE", message.c_str());
  return false;
}

bool Options::Get(const char* name, napi_value* value, napi_valuetype* type) {
  return napi_get_named_property(env_, object_, name, value) == napi_ok && napi_typeof(env_, *value, type) == napi_ok;
}

void Options::ThrowType(const char* name, const char* expected, napi_valuetype actual) {
  const std::string message = std::string("The \"options.") + name + "\" property must be " + expected +
                              ". Received " + TypeName(actual);
  ThrowCoded(env_, ErrorKind::kType, "ERR_INVALID_ARG_TYPE", message.c_str());
}

bool Options::Integer(const char* name, double min, double max, const std::string& range, double* out) {
  napi_value value;
  napi_valuetype type;
  if (!Get(name, &value, &type)) return false;
  if (type != napi_number || napi_get_value_double(env_, value, out) != napi_ok) {
    ThrowType(name, "of type number", type);
    return false;
  }
  if (!(*out >= min && *out <= max) || std::floor(*out) != *out) {
    const std::string message = std::string("The value of \"options.") + name + "\" is out of range. It must be " + range;
    ThrowCoded(env_, ErrorKind::kRange, "ERR_OUT_OF_RANGE", message.c_str());
    return false;
  }
  return true;
}

bool Options::Size(const char* name, uint64_t min, uint64_t* out) {
  double d;
  if (!Integer(name, static_cast<double>(min), 9007199254740991.0,
               "an integer >= " + std::to_string(min) + " and <= 2 ** 53 - 1", &d)) {
    return false;
  }
  *out = static_cast<uint64_t>(d);
  return true;
}

bool Options::OptionalSize(const char* name, uint64_t min, uint64_t* out) {
  napi_value value;
  napi_valuetype type;
  if (!Get(name, &value, &type)) return false;
  return type == napi_undefined || Size(name, min, out);
}

bool Options::Int32(const char* name, int32_t* out) {
  double d;
  if (!Integer(name, INT32_MIN, INT32_MAX, "a 32-bit integer", &d)) return false;
  *out = static_cast<int32_t>(d);
  return true;
}

bool Options::Bool(const char* name, bool* out) {
  napi_value value;
  napi_valuetype type;
  if (!Get(name, &value, &type)) return false;
  if (type != napi_boolean || napi_get_value_bool(env_, value, out) != napi_ok) {
    ThrowType(name, "of type boolean", type);
    return false;
  }
  return true;
}

napi_value Options::Array(const char* name) {
  napi_value value;
  napi_valuetype type;
  if (!Get(name, &value, &type)) return nullptr;
  bool is_array = false;
  if (napi_is_array(env_, value, &is_array) != napi_ok) return nullptr;
  if (!is_array) {
    ThrowType(name, "an instance of Array", type);
    return nullptr;
  }
  return value;
}

}  // namespace poolmem::addon
