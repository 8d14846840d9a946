// overlap.h: checks that a kernel's outputs share no memory with its inputs or with each other.
#pragma once

#include <initializer_list>

#include "binding/args.h"

namespace bntrain::binding {

// One typed array's memory; length 0 (a null optional argument) never overlaps.
struct Region {
  const void* data;
  int64_t bytes;
  const char* name;
};

inline Region region(const Float32Span& span, const char* name) { return {span.data, span.length * 4, name}; }
inline Region region(const Int32Span& span, const char* name) { return {span.data, span.length * 4, name}; }

// Throws "op: A and B must not share memory" for the first output that overlaps another output
// or an input. If `in_place_input` is not null, the first output may be exactly that input, for
// elementwise passes. The check compares start addresses, so the caller must have checked that
// both lengths are equal.
void expect_separate(const ArgReader& args, std::initializer_list<Region> outputs,
                     std::initializer_list<Region> inputs, const void* in_place_input = nullptr);

}  // namespace bntrain::binding
