// parallel.h: a small fixed-size thread pool for the kernels.
//
// Determinism contract: parallel_for splits [0, count) into contiguous chunks and every index is
// handled by exactly one thread. Kernels must compute each output element inside one index (never
// reduce across chunks), so results are bit-identical whatever the thread count.
#pragma once

#include <cstdint>

namespace bntrain {

// A type-erased reference to a chunk body: no copy and no heap allocation, unlike std::function,
// which moves captures larger than 16 bytes (libstdc++) to the heap on every call.
struct ChunkBody {
  void (*call)(const void* body, int64_t begin, int64_t end);
  const void* body;
};

void parallel_for_chunks(int64_t count, ChunkBody body);

// Calls body(begin, end) over disjoint chunks that cover [0, count), on up to num_threads() threads,
// and returns when all chunks are done. The calling thread runs the first chunk. A call made from
// inside a body runs serially. An exception thrown by a body is rethrown here after all chunks end.
template <typename Body>
void parallel_for(int64_t count, const Body& body) {
  parallel_for_chunks(count, ChunkBody{[](const void* erased, int64_t begin, int64_t end) {
                                         (*static_cast<const Body*>(erased))(begin, end);
                                       },
                                       &body});
}

// Number of threads parallel_for uses (>= 1). The default is the number of hardware threads.
int num_threads();

// Sets the thread count; 1 runs every kernel on the calling thread. Requires 1 <= threads <= 256.
void set_num_threads(int threads);

}  // namespace bntrain
