#include "binding/overlap.h"

namespace bntrain::binding {

void expect_separate(const ArgReader& args, std::initializer_list<Region> outputs,
                     std::initializer_list<Region> inputs, const void* in_place_input) {
  const Region* first = outputs.begin();
  for (const Region* out = outputs.begin(); out != outputs.end(); ++out) {
    for (const Region* other = out + 1; other != outputs.end(); ++other) {
      args.expect_disjoint(out->data, out->bytes, other->data, other->bytes, out->name, other->name);
    }
    for (const Region& in : inputs) {
      const bool in_place = out == first && in_place_input != nullptr && in.data == in_place_input &&
                            out->data == in.data;
      if (!in_place) args.expect_disjoint(out->data, out->bytes, in.data, in.bytes, out->name, in.name);
    }
  }
}

}  // namespace bntrain::binding
