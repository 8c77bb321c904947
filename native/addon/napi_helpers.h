// Shared glue for every wrap: checked Node-API calls, receiver type tags,
// coded errors and argument reading. Every napi call in the addon goes
// through plain C functions whose status is checked here, never through
// node-addon-api's throwing wrappers: on a terminating environment
// (worker.terminate(), process.exit() landing mid-call) most napi calls fail
// with napi_pending_exception while no exception is pending, and those
// wrappers then abort the process trying to throw. Here a failed call yields
// an empty value (nullptr / false), the caller undoes what it did and
// returns nullptr quietly, and no empty handle is ever used afterwards.
#pragma once

#include <node_api.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace poolmem::addon {

// ---- checked value makers: nullptr when the environment cannot make it -------------

napi_value Undefined(napi_env env);
napi_value Null(napi_env env);
napi_value Number(napi_env env, double value);
napi_value Int32(napi_env env, int32_t value);
napi_value Boolean(napi_env env, bool value);
napi_value String(napi_env env, const char* data, size_t length);
// An array of the given values; nullptr if any is nullptr or a call fails.
napi_value ArrayOf(napi_env env, std::initializer_list<napi_value> values);
// An empty array, and defining an element of one (no setter runs, not even
// one a caller put on Array.prototype): false when a call fails.
napi_value NewArray(napi_env env);
bool SetElement(napi_value array, napi_env env, uint32_t index, napi_value value);
// Defines object[name] = value (no setter runs); false when a call fails.
bool SetNamed(napi_env env, napi_value object, const char* name, napi_value value);
// The referenced value, or nullptr (collected, or the call failed).
napi_value Deref(napi_env env, napi_ref ref);
// A strong (count 1) or weak (count 0) reference; nullptr on failure.
napi_ref NewRef(napi_env env, napi_value value, uint32_t count);
// Detaches `ab` if it is non-null (the caller vouches it is one of ours).
void Detach(napi_env env, napi_value ab);

// An external ArrayBuffer over `data` whose finalizer gets `hint`; nullptr on
// failure. Then *hint_is_ours says whether the caller still owns `hint`:
// true only when Node refused before making anything (a terminating
// environment's preamble). Otherwise Node made the buffer or already ran the
// finalizer before failing, so the finalizer owns `hint` and every
// finalizer must cope with an allocation that was never registered.
napi_value NewExternalArrayBuffer(napi_env env, void* data, size_t length, napi_finalize finalize, void* hint,
                                  bool* hint_is_ours);

// ---- errors and tags ------------------------------------------------------------------

// Throws a TypeError/RangeError/Error with a `code` property; does nothing
// when the environment cannot throw any more.
enum class ErrorKind { kType, kRange, kPlain };
void ThrowCoded(napi_env env, ErrorKind kind, const char* code, const char* message);

// A tag per native class, random per load of this library, so a receiver
// from another class (or another copy of the addon) is never unwrapped.
const napi_type_tag& ClassTag(int class_id);
enum ClassId {
  kRangeAllocatorClass = 0, kArenaClass = 1, kSafeBufferClass = 2,
  kSlabClass, kSlabViewClass, kProcessChunkClass,  // BytePool slabs, alloc/free
  kScalableAllocatorClass, kSlabLedgerClass,
  kClassCount
};
bool Tag(napi_env env, napi_value object, int class_id);

// ---- arguments ------------------------------------------------------------------------

// Up to N arguments, the receiver and the function's data, in one napi call;
// missing arguments read as undefined.
template <size_t N>
struct Args {
  napi_value argv[N > 0 ? N : 1] = {};
  napi_value self = nullptr;
  void* data = nullptr;
  bool Read(napi_env env, napi_callback_info info) {
    size_t argc = N;
    return napi_get_cb_info(env, info, &argc, argv, &self, &data) == napi_ok;
  }
  napi_value operator[](size_t i) const { return argv[i]; }
};

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

bool ReadBoolValue(napi_env env, napi_value value, bool* out);

// ---- options objects ------------------------------------------------------------------

// A constructor's options object, read by name. JS validates what users pass
// and builds a fresh object; these checks only keep a direct caller of the
// binding from reaching an undefined conversion. Each reader throws TypeError
// ERR_INVALID_ARG_TYPE (missing, or of the wrong type) or RangeError
// ERR_OUT_OF_RANGE naming "options.<name>", and returns false.
class Options {
 public:
  // False after throwing when `value` is not an object.
  bool Open(napi_env env, napi_value value);
  bool Size(const char* name, uint64_t min, uint64_t* out);          // an integer in [min, 2^53-1]
  bool OptionalSize(const char* name, uint64_t min, uint64_t* out);  // *out kept when undefined
  bool Int32(const char* name, int32_t* out);
  bool Bool(const char* name, bool* out);
  // The property when it is an array; nullptr after throwing otherwise.
  napi_value Array(const char* name);

 private:
  // The property and its type; false quietly when a call fails.
  bool Get(const char* name, napi_value* value, napi_valuetype* type);
  void ThrowType(const char* name, const char* expected, napi_valuetype actual);
  // The property as an integer in [min, max] (`range` says so in the error).
  bool Integer(const char* name, double min, double max, const std::string& range, double* out);
  napi_env env_ = nullptr;
  napi_value object_ = nullptr;
};

}  // namespace poolmem::addon
