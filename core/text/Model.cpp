#include "text/Model.h"

namespace attnscope {

std::vector<std::optional<std::string>> reverseVocab(const Vocab& vocab) {
    std::vector<std::optional<std::string>> out;
    for (const auto& [token, id] : vocab) {
        if (id < 0) continue;
        if (static_cast<std::size_t>(id) >= out.size()) out.resize(static_cast<std::size_t>(id) + 1);
        out[static_cast<std::size_t>(id)] = token;
    }
    return out;
}

}  // namespace attnscope
