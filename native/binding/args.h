// args.h: reads and validates the arguments of an exported function.
//
// Every check throws a JavaScript TypeError (wrong type) or RangeError (wrong value or length)
// whose message names the operation and the argument and reports what was received, e.g.
//   RangeError: conv2dForward: x has 1000 elements, expected N*C*H*W = 1024
// The TypeScript layer validates user input first. These checks keep the kernels memory-safe
// when other code calls the addon directly.
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>

namespace bntrain::binding {

// A Float32Array's memory, borrowed for the duration of one call (no copy).
struct Float32Span {
  float* data = nullptr;
  int64_t length = 0;
};

struct Int32Span {
  int32_t* data = nullptr;
  int64_t length = 0;
};

class ArgReader {
 public:
  ArgReader(const Napi::CallbackInfo& info, const char* op) : info_(info), op_(op) {}

  Float32Span float32(size_t index, const char* name) const;
  // Returns an empty span for null or undefined.
  Float32Span optional_float32(size_t index, const char* name) const;
  Int32Span int32(size_t index, const char* name) const;

  // An integer in [min, 2^31 - 1].
  int64_t dim(size_t index, const char* name, int64_t min = 0) const;
  // A finite number.
  double number(size_t index, const char* name) const;
  bool boolean(size_t index, const char* name) const;
  std::string string(size_t index, const char* name) const;

  void expect_length(int64_t actual, int64_t expected, const char* name, const char* formula) const;
  // Throws unless the two arrays share no memory (for kernels that read one while writing the other).
  void expect_disjoint(const void* a, int64_t a_bytes, const void* b, int64_t b_bytes,
                       const char* a_name, const char* b_name) const;
  // Throws a RangeError "op: message".
  [[noreturn]] void range_error(const std::string& message) const;

  Napi::Env env() const { return info_.Env(); }

 private:
  Napi::Value at(size_t index) const { return info_[index]; }
  [[noreturn]] void type_error(const char* name, const char* expected, const Napi::Value& value) const;

  const Napi::CallbackInfo& info_;
  const char* op_;
};

// Multiplies sizes, saturating at INT64_MAX so that a huge shape fails the length check
// instead of overflowing.
int64_t checked_product(std::initializer_list<int64_t> sizes);

// Describes a JS value's type for messages: "number", "undefined", "Float64Array", ...
std::string describe_type(const Napi::Value& value);

}  // namespace bntrain::binding
