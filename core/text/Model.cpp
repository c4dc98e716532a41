#include "text/Model.h"

namespace attnscope {

ReverseVocab::ReverseVocab(const Vocab& vocab) {
    tokens_.reserve(vocab.size());
    for (const auto& [token, id] : vocab) tokens_.insert_or_assign(id, token);
}

std::optional<std::string> ReverseVocab::find(int id) const {
    const auto it = tokens_.find(id);
    if (it == tokens_.end()) return std::nullopt;
    return it->second;
}

}  // namespace attnscope
