#include "LensFigureData.h"

#include <unordered_map>

#include "TokenLabel.h"
#include "analysis/LogitLens.h"
#include "text/Tokenizer.h"

namespace attnscope::ui {

LensFigureData lensFigureData(const LogitLens& lens, const QStringList& positionLabels, const std::function<QString(int id)>& tokenName,
                              std::optional<int> selectedLayer, std::optional<int> selectedPosition) {
    LensFigureData d;
    d.title = QStringLiteral("Logit lens: the top token after each layer");
    d.layerAxisTitle = QStringLiteral("layer");
    d.positionAxisTitle = QStringLiteral("input token");
    d.layers = lens.layers;
    d.positionLabels = positionLabels;
    // A lens may be longer than the labels given (or shorter): every position gets a column.
    while (d.positionLabels.size() < lens.positions) d.positionLabels << QStringLiteral("#%1").arg(d.positionLabels.size());
    d.positionLabels = d.positionLabels.mid(0, lens.positions);
    d.selectedLayer = selectedLayer;
    d.selectedPosition = selectedPosition;
    // The same few tokens recur across layers and positions: name each id once.
    std::unordered_map<int, QString> names;
    const auto nameOf = [&](int id) -> const QString& {
        auto it = names.find(id);
        if (it == names.end()) it = names.emplace(id, tokenName ? tokenName(id) : QStringLiteral("#%1").arg(id)).first;
        return it->second;
    };
    d.cells.reserve(static_cast<std::size_t>(lens.layers) * lens.positions);
    for (int l = 0; l < lens.layers; ++l)
        for (int i = 0; i < lens.positions; ++i) {
            const auto top = lens.at(l, i);
            LensCell cell;
            if (!top.empty()) {
                cell.topToken = nameOf(top[0].id);
                cell.probability = top[0].probability;
            }
            for (std::size_t k = 1; k < top.size(); ++k) cell.runnersUp.append({nameOf(top[k].id), top[k].probability});
            d.cells.push_back(std::move(cell));
        }
    return d;
}

std::function<QString(int id)> vocabularyLabels(const Tokenizer* tokenizer) {
    return [tokenizer](int id) {
        const std::string token = tokenizer ? tokenizer->idToToken(id) : std::string();
        return token.empty() ? QStringLiteral("#%1").arg(id) : tokenLabel(token);
    };
}

}  // namespace attnscope::ui
