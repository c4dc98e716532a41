#include "tensor/AttentionRecord.h"

#include "Error.h"

namespace attnscope {

TokenSequence idSequence(std::string name, std::vector<int> ids) {
    TokenSequence s;
    s.name = std::move(name);
    for (const int id : ids) s.names.push_back(std::to_string(id));
    s.ids = std::move(ids);
    s.special.assign(s.names.size(), false);
    s.named = false;
    return s;
}

TokenSequence imageSequence(int leading, int rows, int columns) {
    TokenSequence s;
    // [CLS] (none for SigLIP, whose every token is a patch), then DeiT's [DIST].
    if (leading >= 1) s.names.push_back("[CLS]");
    if (leading == 2) s.names.push_back("[DIST]");
    s.special.assign(s.names.size(), true);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < columns; ++c) s.names.push_back(std::to_string(r) + "," + std::to_string(c));
    s.special.resize(s.names.size(), false);
    s.patches = {rows, columns, static_cast<int>(s.special.size() - static_cast<std::size_t>(rows) * columns)};
    return s;
}

bool isScoreTermStack(std::string_view name) {
    return name == kContentToContentStack || name == kContentToPositionStack || name == kPositionToContentStack;
}

int AttentionRecord::indexOf(std::string_view name) const {
    for (std::size_t i = 0; i < stacks.size(); ++i)
        if (stacks[i].name == name) return static_cast<int>(i);
    return -1;
}

const NamedStack* AttentionRecord::find(std::string_view name) const {
    const int i = indexOf(name);
    return i < 0 ? nullptr : &stacks[static_cast<std::size_t>(i)];
}

const AttentionStack& AttentionRecord::attention(std::string_view name) const {
    if (const NamedStack* s = find(name)) return s->attention;
    std::string names;
    for (const NamedStack& s : stacks) names += (names.empty() ? "" : ", ") + s.name;
    throw Error("there is no attention stack '" + std::string(name) + "' (this input has: " + names + ")");
}

}  // namespace attnscope
