// activation.h: elementwise ReLU and logistic sigmoid, forward and backward.
//
// All arrays hold n contiguous floats and are overwritten. Output may alias input (in place).
//   relu_forward     y = max(x, 0)            (NaN propagates)
//   relu_backward    dx = y > 0 ? dy : 0       (y is the forward output)
//   sigmoid_forward  y = 1 / (1 + exp(-x))
//   sigmoid_backward dx = dy * y * (1 - y)     (y is the forward output)
// The entry points split the work over the thread pool and dispatch each block to the scalar
// or the AVX2 version; every element is computed independently, so threads never change results.
#pragma once

#include <cstdint>

namespace bntrain {

void relu_forward(const float* x, float* y, int64_t n);
void relu_backward(const float* y, const float* dy, float* dx, int64_t n);
void sigmoid_forward(const float* x, float* y, int64_t n);
void sigmoid_backward(const float* y, const float* dy, float* dx, int64_t n);

void relu_forward_scalar(const float* x, float* y, int64_t n);
void relu_backward_scalar(const float* y, const float* dy, float* dx, int64_t n);
void sigmoid_forward_scalar(const float* x, float* y, int64_t n);
void sigmoid_backward_scalar(const float* y, const float* dy, float* dx, int64_t n);

void relu_forward_avx2(const float* x, float* y, int64_t n);
void relu_backward_avx2(const float* y, const float* dy, float* dx, int64_t n);
void sigmoid_forward_avx2(const float* x, float* y, int64_t n);
void sigmoid_backward_avx2(const float* y, const float* dy, float* dx, int64_t n);

}  // namespace bntrain
