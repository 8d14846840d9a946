// batchnorm.cc: batchNormForwardTrain, batchNormBackward, batchNormForwardInference.
// x is viewed as [N, C, HW], and per-channel arrays contain C floats. gamma and beta may be null
// (meaning 1 and 0), and so may dx, dgamma and dbeta (then skipped). y may be x itself and dx may
// be dy itself, because those passes are elementwise. Any other shared memory is rejected.
#include <napi.h>

#include <sstream>

#include "binding/args.h"
#include "binding/families.h"
#include "binding/overlap.h"
#include "kernels/batchnorm/batchnorm.h"

namespace bntrain::binding {
namespace {

BatchNormShape read_shape(const ArgReader& args, size_t first) {
  return {args.dim(first, "N", 1), args.dim(first + 1, "C", 1), args.dim(first + 2, "HW", 1)};
}

// eps keeps 1/sqrt(variance + eps) finite for a constant channel, so it must be positive.
double read_eps(const ArgReader& args, size_t index) {
  const double eps = args.number(index, "eps");
  if (!(eps > 0.0)) {
    std::ostringstream message;
    message.precision(17);
    message << "eps must be positive, received " << eps;
    args.range_error(message.str());
  }
  return eps;
}

// An optional Float32Array argument. `present` is false only for null or undefined, so that an
// empty array, whose data pointer may be null, still fails the length check instead of reading
// as "skip".
struct OptionalFloat32 {
  Float32Span span;
  bool present;
};

OptionalFloat32 read_optional(const Napi::CallbackInfo& info, const ArgReader& args, size_t index, const char* name) {
  const Float32Span span = args.optional_float32(index, name);
  return {span, !info[index].IsNull() && !info[index].IsUndefined()};
}

void expect_tensor(const ArgReader& args, const Float32Span& span, BatchNormShape shape, const char* name) {
  args.expect_length(span.length, checked_product({shape.N, shape.C, shape.HW}), name, "N*C*HW");
}

void expect_channels(const ArgReader& args, const OptionalFloat32& array, BatchNormShape shape, const char* name) {
  if (array.present) args.expect_length(array.span.length, shape.C, name, "C");
}

void ForwardTrain(const Napi::CallbackInfo& info) {
  ArgReader args(info, "batchNormForwardTrain");
  const Float32Span x = args.float32(0, "x");
  const OptionalFloat32 gamma = read_optional(info, args, 1, "gamma");
  const OptionalFloat32 beta = read_optional(info, args, 2, "beta");
  const Float32Span y = args.float32(3, "y");
  const Float32Span mean = args.float32(4, "mean");
  const Float32Span variance = args.float32(5, "variance");
  const BatchNormShape shape = read_shape(args, 6);
  const double eps = read_eps(args, 9);

  expect_tensor(args, x, shape, "x");
  expect_channels(args, gamma, shape, "gamma");
  expect_channels(args, beta, shape, "beta");
  expect_tensor(args, y, shape, "y");
  args.expect_length(mean.length, shape.C, "mean", "C");
  args.expect_length(variance.length, shape.C, "variance", "C");
  expect_separate(args, {region(y, "y"), region(mean, "mean"), region(variance, "variance")},
                  {region(x, "x"), region(gamma.span, "gamma"), region(beta.span, "beta")}, x.data);

  batchnorm_forward_train(x.data, gamma.span.data, beta.span.data, y.data, mean.data, variance.data, shape, eps);
}

void Backward(const Napi::CallbackInfo& info) {
  ArgReader args(info, "batchNormBackward");
  const Float32Span x = args.float32(0, "x");
  const Float32Span dy = args.float32(1, "dy");
  const Float32Span mean = args.float32(2, "mean");
  const Float32Span variance = args.float32(3, "variance");
  const OptionalFloat32 gamma = read_optional(info, args, 4, "gamma");
  const OptionalFloat32 dx = read_optional(info, args, 5, "dx");
  const OptionalFloat32 dgamma = read_optional(info, args, 6, "dgamma");
  const OptionalFloat32 dbeta = read_optional(info, args, 7, "dbeta");
  const BatchNormShape shape = read_shape(args, 8);
  const double eps = read_eps(args, 11);

  expect_tensor(args, x, shape, "x");
  expect_tensor(args, dy, shape, "dy");
  args.expect_length(mean.length, shape.C, "mean", "C");
  args.expect_length(variance.length, shape.C, "variance", "C");
  expect_channels(args, gamma, shape, "gamma");
  if (dx.present) expect_tensor(args, dx.span, shape, "dx");
  expect_channels(args, dgamma, shape, "dgamma");
  expect_channels(args, dbeta, shape, "dbeta");
  expect_separate(args, {region(dx.span, "dx"), region(dgamma.span, "dgamma"), region(dbeta.span, "dbeta")},
                  {region(x, "x"), region(dy, "dy"), region(mean, "mean"), region(variance, "variance"),
                   region(gamma.span, "gamma")},
                  dy.data);

  batchnorm_backward(x.data, dy.data, mean.data, variance.data, gamma.span.data, dx.span.data, dgamma.span.data,
                     dbeta.span.data, shape, eps);
}

void ForwardInference(const Napi::CallbackInfo& info) {
  ArgReader args(info, "batchNormForwardInference");
  const Float32Span x = args.float32(0, "x");
  const Float32Span mean = args.float32(1, "mean");
  const Float32Span variance = args.float32(2, "variance");
  const OptionalFloat32 gamma = read_optional(info, args, 3, "gamma");
  const OptionalFloat32 beta = read_optional(info, args, 4, "beta");
  const Float32Span y = args.float32(5, "y");
  const BatchNormShape shape = read_shape(args, 6);
  const double eps = read_eps(args, 9);

  expect_tensor(args, x, shape, "x");
  args.expect_length(mean.length, shape.C, "mean", "C");
  args.expect_length(variance.length, shape.C, "variance", "C");
  expect_channels(args, gamma, shape, "gamma");
  expect_channels(args, beta, shape, "beta");
  expect_tensor(args, y, shape, "y");
  expect_separate(args, {region(y, "y")},
                  {region(x, "x"), region(mean, "mean"), region(variance, "variance"), region(gamma.span, "gamma"),
                   region(beta.span, "beta")},
                  x.data);

  batchnorm_forward_inference(x.data, mean.data, variance.data, gamma.span.data, beta.span.data, y.data, shape, eps);
}

}  // namespace

void RegisterBatchNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormForwardTrain", Napi::Function::New(env, ForwardTrain, "batchNormForwardTrain"));
  exports.Set("batchNormBackward", Napi::Function::New(env, Backward, "batchNormBackward"));
  exports.Set("batchNormForwardInference", Napi::Function::New(env, ForwardInference, "batchNormForwardInference"));
}

}  // namespace bntrain::binding
