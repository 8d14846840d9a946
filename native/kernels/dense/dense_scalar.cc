#include "kernels/dense/dense.h"

namespace bntrain {

void add_constant_scalar(float* y, float value, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += value;
}

void add_vector_scalar(float* y, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += b[i];
}

double sum_scalar(const float* x, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  return sum;
}

}  // namespace bntrain
