#include "analysis/PatternAgreement.h"

#include <cmath>
#include <vector>

#include "Error.h"

namespace attnscope {

double patternAgreement(const AttentionStack& part, const AttentionStack& whole, int layer, int head) {
    if (part.layers != whole.layers || part.heads != whole.heads || part.queries != whole.queries || part.keys != whole.keys)
        throw Error("pattern agreement needs two attention stacks of one shape");
    if (layer < 0 || layer >= whole.layers || head < 0 || head >= whole.heads)
        throw Error("pattern agreement: layer " + std::to_string(layer) + ", head " + std::to_string(head) + " is out of range");
    if (whole.queries == 0) return 1.0;
    const std::size_t cells = static_cast<std::size_t>(whole.queries) * whole.keys;
    std::vector<float> a(cells), b(cells);
    part.copyMap(layer, head, a.data());
    whole.copyMap(layer, head, b.data());
    double distance = 0.0;
    for (std::size_t i = 0; i < cells; ++i) distance += std::abs(double(a[i]) - double(b[i]));
    return 1.0 - 0.5 * distance / whole.queries;
}

}  // namespace attnscope
