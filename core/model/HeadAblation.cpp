#include "model/HeadAblation.h"

#include <algorithm>
#include <charconv>

#include "Error.h"

namespace attnscope {

std::vector<int> HeadAblation::headsInLayer(int layer) const {
    std::vector<int> out;
    for (const auto& [l, h] : heads)
        if (l == layer) out.push_back(h);
    return out;
}

std::string HeadAblation::list() const {
    std::string s;
    for (const auto& [l, h] : heads) s += (s.empty() ? "" : ", ") + std::to_string(l) + "." + std::to_string(h);
    return s;
}

std::string HeadAblation::describe() const {
    if (empty()) return {};
    return std::string(heads.size() == 1 ? "head " : "heads ") + list() + " off (" + ablationModeName(mode) + ")";
}

void HeadAblation::requireFits(int layers, int headsPerLayer) const {
    for (const auto& [l, h] : heads) {
        if (l >= layers)
            throw Error("head " + std::to_string(l) + "." + std::to_string(h) + ": the model has " + std::to_string(layers) +
                        " layers, numbered from 0");
        if (h >= headsPerLayer)
            throw Error("head " + std::to_string(l) + "." + std::to_string(h) + ": the model has " + std::to_string(headsPerLayer) +
                        " heads per layer, numbered from 0");
    }
}

namespace {

std::optional<int> number(std::string_view s) {
    int value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty() || value < 0) return std::nullopt;
    return value;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

HeadAblation parseHeadAblation(std::string_view list, AblationMode mode) {
    HeadAblation out;
    out.mode = mode;
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        const std::string_view item = trimmed(list.substr(start, comma - start));
        const std::size_t dot = item.find('.');
        const auto layer = dot == std::string_view::npos ? std::nullopt : number(item.substr(0, dot));
        const auto head = dot == std::string_view::npos ? std::nullopt : number(item.substr(dot + 1));
        if (!layer || !head)
            throw Error("heads: `" + std::string(item) + "` is not layer.head (e.g. 1.0 for layer 1, head 0; both from 0)");
        out.heads.emplace_back(*layer, *head);
        start = comma + 1;
    }
    std::sort(out.heads.begin(), out.heads.end());
    out.heads.erase(std::unique(out.heads.begin(), out.heads.end()), out.heads.end());
    return out;
}

std::optional<AblationMode> ablationModeNamed(std::string_view name) {
    if (name == "zero") return AblationMode::Zero;
    if (name == "mean") return AblationMode::Mean;
    return std::nullopt;
}

const char* ablationModeName(AblationMode mode) { return mode == AblationMode::Mean ? "mean" : "zero"; }

void ablateContext(RowMatrix& context, const std::vector<int>& heads, int headDim, AblationMode mode) {
    for (const int h : heads) {
        auto block = context.middleCols(static_cast<Eigen::Index>(h) * headDim, headDim);
        if (mode == AblationMode::Zero) {
            block.setZero();
        } else {
            const Eigen::RowVectorXf mean = block.colwise().mean();
            block.rowwise() = mean;
        }
    }
}

}  // namespace attnscope
