#include "model/HeadAblation.h"

#include <algorithm>
#include <charconv>

#include "Error.h"

namespace attnscope {

namespace {

// How list() and parseHeadAblation() spell a stack before its heads.
const char* prefixOf(AblatedStack stack) {
    switch (stack) {
    case AblatedStack::Own: return "";
    case AblatedStack::Decoder: return "decoder";
    case AblatedStack::Cross: return "cross";
    }
    return "";
}

// As --heads and session files write it: "1.0", "decoder:1.0", "cross:1.0".
std::string nameOf(AblatedStack stack, int layer, int head) {
    return std::string(prefixOf(stack)) + (stack == AblatedStack::Own ? "" : ":") + std::to_string(layer) + "." + std::to_string(head);
}

constexpr AblatedStack kStacks[] = {AblatedStack::Own, AblatedStack::Decoder, AblatedStack::Cross};

}  // namespace

const std::vector<std::pair<int, int>>& HeadAblation::of(AblatedStack stack) const {
    return stack == AblatedStack::Decoder ? decoderHeads : stack == AblatedStack::Cross ? crossHeads : heads;
}

std::vector<std::pair<int, int>>& HeadAblation::of(AblatedStack stack) {
    return stack == AblatedStack::Decoder ? decoderHeads : stack == AblatedStack::Cross ? crossHeads : heads;
}

std::vector<int> HeadAblation::headsInLayer(int layer, AblatedStack stack) const {
    std::vector<int> out;
    for (const auto& [l, h] : of(stack))
        if (l == layer) out.push_back(h);
    return out;
}

HeadAblation HeadAblation::toggled(AblatedStack stack, int layer, int head) const {
    HeadAblation next = *this;
    auto& list = next.of(stack);
    const std::pair<int, int> item{layer, head};
    const auto at = std::find(list.begin(), list.end(), item);
    if (at != list.end()) list.erase(at);
    else list.insert(std::upper_bound(list.begin(), list.end(), item), item);
    return next;
}

std::vector<std::string> HeadAblation::names() const {
    std::vector<std::string> out;
    for (const AblatedStack stack : kStacks)
        for (const auto& [l, h] : of(stack)) out.push_back(nameOf(stack, l, h));
    return out;
}

std::string HeadAblation::list() const {
    std::string s;
    for (const std::string& name : names()) s += (s.empty() ? "" : ", ") + name;
    return s;
}

std::string HeadAblation::describe() const {
    if (empty()) return {};
    return std::string(count() == 1 ? "head " : "heads ") + list() + " off (" + ablationModeName(mode) + ")";
}

void HeadAblation::requireFits(int layers, int headsPerLayer, AblatedStack stack) const {
    const std::string where = stack == AblatedStack::Own ? "the model" : stack == AblatedStack::Decoder ? "the decoder" : "the cross-attention";
    for (const auto& [l, h] : of(stack)) {
        if (l >= layers) throw Error("head " + nameOf(stack, l, h) + ": " + where + " has " + std::to_string(layers) + " layers, numbered from 0");
        if (h >= headsPerLayer)
            throw Error("head " + nameOf(stack, l, h) + ": " + where + " has " + std::to_string(headsPerLayer) + " heads per layer, numbered from 0");
    }
}

std::optional<AblatedStack> ablatedStackOf(int querySequence, int keySequence, bool encoderDecoder) {
    if (querySequence == 0 && keySequence == 0) return AblatedStack::Own;
    if (!encoderDecoder || querySequence != 1) return std::nullopt;
    if (keySequence == 1) return AblatedStack::Decoder;
    if (keySequence == 0) return AblatedStack::Cross;
    return std::nullopt;
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
        std::string_view item = trimmed(list.substr(start, comma - start));
        const std::string_view written = item;
        AblatedStack stack = AblatedStack::Own;
        if (const std::size_t colon = item.find(':'); colon != std::string_view::npos) {
            const std::string_view name = trimmed(item.substr(0, colon));
            if (name == "decoder") stack = AblatedStack::Decoder;
            else if (name == "cross") stack = AblatedStack::Cross;
            else if (name != "encoder")
                throw Error("heads: `" + std::string(written) + "` names no stack (decoder:, cross: or encoder: before layer.head)");
            item = trimmed(item.substr(colon + 1));
        }
        const std::size_t dot = item.find('.');
        const auto layer = dot == std::string_view::npos ? std::nullopt : number(item.substr(0, dot));
        const auto head = dot == std::string_view::npos ? std::nullopt : number(item.substr(dot + 1));
        if (!layer || !head)
            throw Error("heads: `" + std::string(written) + "` is not layer.head (e.g. 1.0 for layer 1, head 0; both from 0)");
        out.of(stack).emplace_back(*layer, *head);
        start = comma + 1;
    }
    for (const AblatedStack stack : kStacks) {
        auto& heads = out.of(stack);
        std::sort(heads.begin(), heads.end());
        heads.erase(std::unique(heads.begin(), heads.end()), heads.end());
    }
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
