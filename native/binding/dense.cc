// dense.cc: denseForward, denseBackwardData, denseBackwardWeights, biasAdd, biasBackward, sgemm.
// Outputs are overwritten (biasAdd updates y in place) and must not share memory with inputs.
#include <napi.h>

#include "binding/args.h"
#include "binding/families.h"
#include "binding/overlap.h"
#include "binding/kernel_call.h"
#include "kernels/dense/dense.h"
#include "kernels/gemm/gemm.h"

namespace bntrain::binding {
namespace {

// Reads N, I, O at `first`, first + 1, first + 2.
DenseShape read_dense_shape(const ArgReader& args, size_t first) {
  DenseShape s;
  s.N = args.dim(first, "N", 1);
  s.I = args.dim(first + 1, "I", 1);
  s.O = args.dim(first + 2, "O", 1);
  return s;
}

// (x, w, b | null, y, N, I, O): y = x . w^T + b
void DenseForward(const Napi::CallbackInfo& info) {
  ArgReader args(info, "denseForward");
  const Float32Span x = args.float32(0, "x");
  const Float32Span w = args.float32(1, "w");
  const Float32Span b = args.optional_float32(2, "b");
  const Float32Span y = args.float32(3, "y");
  const DenseShape s = read_dense_shape(args, 4);
  args.expect_length(x.length, checked_product({s.N, s.I}), "x", "N*I");
  args.expect_length(w.length, checked_product({s.O, s.I}), "w", "O*I");
  if (b.data != nullptr) args.expect_length(b.length, s.O, "b", "O");
  args.expect_length(y.length, checked_product({s.N, s.O}), "y", "N*O");
  expect_separate(args, {region(y, "y")}, {region(x, "x"), region(w, "w"), region(b, "b")});
  call_kernel(args.env(), "denseForward", [&] { dense_forward(s, x.data, w.data, b.data, y.data); });
}

// (dy, w, dx, N, I, O): dx = dy . w
void DenseBackwardData(const Napi::CallbackInfo& info) {
  ArgReader args(info, "denseBackwardData");
  const Float32Span dy = args.float32(0, "dy");
  const Float32Span w = args.float32(1, "w");
  const Float32Span dx = args.float32(2, "dx");
  const DenseShape s = read_dense_shape(args, 3);
  args.expect_length(dy.length, checked_product({s.N, s.O}), "dy", "N*O");
  args.expect_length(w.length, checked_product({s.O, s.I}), "w", "O*I");
  args.expect_length(dx.length, checked_product({s.N, s.I}), "dx", "N*I");
  expect_separate(args, {region(dx, "dx")}, {region(dy, "dy"), region(w, "w")});
  call_kernel(args.env(), "denseBackwardData", [&] { dense_backward_data(s, dy.data, w.data, dx.data); });
}

// (x, dy, dw, db | null, N, I, O): dw = dy^T . x, db = column sums of dy
void DenseBackwardWeights(const Napi::CallbackInfo& info) {
  ArgReader args(info, "denseBackwardWeights");
  const Float32Span x = args.float32(0, "x");
  const Float32Span dy = args.float32(1, "dy");
  const Float32Span dw = args.float32(2, "dw");
  const Float32Span db = args.optional_float32(3, "db");
  const DenseShape s = read_dense_shape(args, 4);
  args.expect_length(x.length, checked_product({s.N, s.I}), "x", "N*I");
  args.expect_length(dy.length, checked_product({s.N, s.O}), "dy", "N*O");
  args.expect_length(dw.length, checked_product({s.O, s.I}), "dw", "O*I");
  if (db.data != nullptr) args.expect_length(db.length, s.O, "db", "O");
  expect_separate(args, {region(db, "db"), region(dw, "dw")}, {region(x, "x"), region(dy, "dy")});
  call_kernel(args.env(), "denseBackwardWeights", [&] { dense_backward_weights(s, x.data, dy.data, dw.data, db.data); });
}

// (y, b, N, C, HW): y[n, c, :] += b[c]
void BiasAdd(const Napi::CallbackInfo& info) {
  ArgReader args(info, "biasAdd");
  const Float32Span y = args.float32(0, "y");
  const Float32Span b = args.float32(1, "b");
  const int64_t N = args.dim(2, "N", 1);
  const int64_t C = args.dim(3, "C", 1);
  const int64_t HW = args.dim(4, "HW", 1);
  args.expect_length(y.length, checked_product({N, C, HW}), "y", "N*C*HW");
  args.expect_length(b.length, C, "b", "C");
  expect_separate(args, {region(y, "y")}, {region(b, "b")});
  bias_add(y.data, b.data, N, C, HW);
}

// (dy, db, N, C, HW): db[c] = sum over n and hw of dy[n, c, hw]
void BiasBackward(const Napi::CallbackInfo& info) {
  ArgReader args(info, "biasBackward");
  const Float32Span dy = args.float32(0, "dy");
  const Float32Span db = args.float32(1, "db");
  const int64_t N = args.dim(2, "N", 1);
  const int64_t C = args.dim(3, "C", 1);
  const int64_t HW = args.dim(4, "HW", 1);
  args.expect_length(dy.length, checked_product({N, C, HW}), "dy", "N*C*HW");
  args.expect_length(db.length, C, "db", "C");
  expect_separate(args, {region(db, "db")}, {region(dy, "dy")});
  bias_backward(dy.data, db.data, N, C, HW);
}

// (transA, transB, M, N, K, alpha, a, b, beta, c): c = alpha * op(a) . op(b) + beta * c, with
// packed leading dimensions (K or M for a, N or K for b, N for c).
void Sgemm(const Napi::CallbackInfo& info) {
  ArgReader args(info, "sgemm");
  GemmShape shape;
  shape.trans_a = args.boolean(0, "transA");
  shape.trans_b = args.boolean(1, "transB");
  shape.M = args.dim(2, "M", 1);
  shape.N = args.dim(3, "N", 1);
  shape.K = args.dim(4, "K", 1);
  const double alpha = args.number(5, "alpha");
  const Float32Span a = args.float32(6, "a");
  const Float32Span b = args.float32(7, "b");
  const double beta = args.number(8, "beta");
  const Float32Span c = args.float32(9, "c");
  args.expect_length(a.length, checked_product({shape.M, shape.K}), "a", "M*K");
  args.expect_length(b.length, checked_product({shape.K, shape.N}), "b", "K*N");
  args.expect_length(c.length, checked_product({shape.M, shape.N}), "c", "M*N");
  expect_separate(args, {region(c, "c")}, {region(a, "a"), region(b, "b")});

  const int64_t lda = shape.trans_a ? shape.M : shape.K;
  const int64_t ldb = shape.trans_b ? shape.K : shape.N;
  call_kernel(args.env(), "sgemm", [&] {
    sgemm(shape, static_cast<float>(alpha), a.data, lda, b.data, ldb, static_cast<float>(beta), c.data, shape.N);
  });
}

}  // namespace

void RegisterDense(Napi::Env env, Napi::Object exports) {
  exports.Set("denseForward", Napi::Function::New(env, DenseForward, "denseForward"));
  exports.Set("denseBackwardData", Napi::Function::New(env, DenseBackwardData, "denseBackwardData"));
  exports.Set("denseBackwardWeights", Napi::Function::New(env, DenseBackwardWeights, "denseBackwardWeights"));
  exports.Set("biasAdd", Napi::Function::New(env, BiasAdd, "biasAdd"));
  exports.Set("biasBackward", Napi::Function::New(env, BiasBackward, "biasBackward"));
  exports.Set("sgemm", Napi::Function::New(env, Sgemm, "sgemm"));
}

}  // namespace bntrain::binding
