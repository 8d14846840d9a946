#include "kernels/optim/sgd.h"

namespace bntrain {

void sgd_update_scalar(float* w, const float* g, float* v, int64_t n, const SgdSettings& s) {
  for (int64_t i = 0; i < n; ++i) {
    const float d = g[i] + s.weight_decay * w[i];
    if (s.momentum == 0.0f) {
      w[i] -= s.lr * d;
      continue;
    }
    v[i] = s.first_step ? d : s.momentum * v[i] + d;
    w[i] -= s.lr * (s.nesterov ? d + s.momentum * v[i] : v[i]);
  }
}

}  // namespace bntrain
