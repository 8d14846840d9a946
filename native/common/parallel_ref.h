// parallel_ref.h: parallel_for without a heap allocation per call.
//
// parallel_for takes a std::function, and libstdc++ (GCC 12) stores a callable inline only when
// it is at most 16 bytes. A lambda that captures four references is 32 bytes, so it is copied to
// the heap on every call. parallel_for_ref passes a lambda that captures one reference, the body.
#pragma once

#include <cstdint>

#include "common/parallel.h"

namespace bntrain {

template <typename Body>
void parallel_for_ref(int64_t count, const Body& body) {
  parallel_for(count, [&body](int64_t begin, int64_t end) { body(begin, end); });
}

}  // namespace bntrain
