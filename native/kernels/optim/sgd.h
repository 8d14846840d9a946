// sgd.h: one stochastic-gradient-descent update with momentum, in PyTorch's form.
//
// w, g, v hold n contiguous floats; w and v are updated in place, g is read. Per element:
//   d = g + weight_decay·w
//   v = first_step ? d : momentum·v + d          (skipped when momentum == 0; v is then unused)
//   w = w − lr·(nesterov ? d + momentum·v : v)   (w − lr·d when momentum == 0)
// Elements are independent, so the thread count never changes the result.
#pragma once

#include <cstdint>

namespace bntrain {

struct SgdSettings {
  float lr = 0;
  float momentum = 0;
  float weight_decay = 0;
  bool nesterov = false;
  bool first_step = false;
};

void sgd_update(float* w, const float* g, float* v, int64_t n, const SgdSettings& settings);

void sgd_update_scalar(float* w, const float* g, float* v, int64_t n, const SgdSettings& settings);
void sgd_update_avx2(float* w, const float* g, float* v, int64_t n, const SgdSettings& settings);

}  // namespace bntrain
