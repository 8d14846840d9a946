#include "binding/args.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace bntrain::binding {
namespace {

const char* typed_array_name(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

std::string describe_number(double value) {
  std::ostringstream text;
  text.precision(17);
  text << value;
  return text.str();
}

}  // namespace

std::string describe_type(const Napi::Value& value) {
  if (value.IsTypedArray()) return typed_array_name(value.As<Napi::TypedArray>().TypedArrayType());
  if (value.IsArrayBuffer()) return "ArrayBuffer";
  if (value.IsArray()) return "Array";
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_object: return "object";
    case napi_function: return "function";
    case napi_external: return "external";
    case napi_bigint: return "bigint";
  }
  return "unknown";
}

void ArgReader::type_error(const char* name, const char* expected, const Napi::Value& value) const {
  throw Napi::TypeError::New(env(), std::string(op_) + ": " + name + " must be " + expected +
                                        ", received " + describe_type(value));
}

void ArgReader::range_error(const std::string& message) const {
  throw Napi::RangeError::New(env(), std::string(op_) + ": " + message);
}

Float32Span ArgReader::float32(size_t index, const char* name) const {
  Napi::Value value = at(index);
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    type_error(name, "a Float32Array", value);
  }
  auto array = value.As<Napi::Float32Array>();
  return {array.Data(), static_cast<int64_t>(array.ElementLength())};
}

Float32Span ArgReader::optional_float32(size_t index, const char* name) const {
  Napi::Value value = at(index);
  if (value.IsNull() || value.IsUndefined()) return {};
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    type_error(name, "a Float32Array or null", value);
  }
  auto array = value.As<Napi::Float32Array>();
  return {array.Data(), static_cast<int64_t>(array.ElementLength())};
}

Int32Span ArgReader::int32(size_t index, const char* name) const {
  Napi::Value value = at(index);
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    type_error(name, "an Int32Array", value);
  }
  auto array = value.As<Napi::Int32Array>();
  return {array.Data(), static_cast<int64_t>(array.ElementLength())};
}

int64_t ArgReader::dim(size_t index, const char* name, int64_t min) const {
  Napi::Value value = at(index);
  if (!value.IsNumber()) type_error(name, "an integer", value);
  const double number = value.As<Napi::Number>().DoubleValue();
  const double max = std::numeric_limits<int32_t>::max();
  if (!(number >= static_cast<double>(min) && number <= max) || std::floor(number) != number) {
    range_error(std::string(name) + " must be an integer in [" + std::to_string(min) + ", 2147483647], received " +
                describe_number(number));
  }
  return static_cast<int64_t>(number);
}

double ArgReader::number(size_t index, const char* name) const {
  Napi::Value value = at(index);
  if (!value.IsNumber()) type_error(name, "a number", value);
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number)) range_error(std::string(name) + " must be finite, received " + describe_number(number));
  return number;
}

bool ArgReader::boolean(size_t index, const char* name) const {
  Napi::Value value = at(index);
  if (!value.IsBoolean()) type_error(name, "a boolean", value);
  return value.As<Napi::Boolean>().Value();
}

std::string ArgReader::string(size_t index, const char* name) const {
  Napi::Value value = at(index);
  if (!value.IsString()) type_error(name, "a string", value);
  return value.As<Napi::String>().Utf8Value();
}

void ArgReader::expect_length(int64_t actual, int64_t expected, const char* name, const char* formula) const {
  if (actual == expected) return;
  range_error(std::string(name) + " has " + std::to_string(actual) + " elements, expected " + formula + " = " +
              (expected == std::numeric_limits<int64_t>::max() ? std::string("too many to address")
                                                                : std::to_string(expected)));
}

void ArgReader::expect_disjoint(const void* a, int64_t a_bytes, const void* b, int64_t b_bytes,
                                const char* a_name, const char* b_name) const {
  const auto a_begin = reinterpret_cast<uintptr_t>(a);
  const auto b_begin = reinterpret_cast<uintptr_t>(b);
  if (a_bytes == 0 || b_bytes == 0) return;
  if (a_begin < b_begin + static_cast<uintptr_t>(b_bytes) && b_begin < a_begin + static_cast<uintptr_t>(a_bytes)) {
    range_error(std::string(a_name) + " and " + b_name + " must not share memory");
  }
}

int64_t checked_product(std::initializer_list<int64_t> sizes) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  int64_t product = 1;
  for (int64_t size : sizes) {
    if (size == 0) return 0;
  }
  for (int64_t size : sizes) {
    if (product > max / size) return max;
    product *= size;
  }
  return product;
}

}  // namespace bntrain::binding
