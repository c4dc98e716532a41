#pragma once
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace attnscope {
struct LogitLens;
class Tokenizer;
}  // namespace attnscope

namespace attnscope::ui {

// One guess of a lens cell: a token as a person reads it (TokenLabel) and its probability.
struct LensCandidate {
    QString token;
    float probability = 0.0f;
};

// What the lens reads at one layer and position.
struct LensCell {
    QString topToken;                // the most probable token, drawn in the cell
    float probability = 0.0f;        // its probability, 0..1: the cell's colour
    QList<LensCandidate> runnersUp;  // the next most probable, for tooltips (may be empty)
};

// Everything LensFigure draws, as plain data: a layers x positions grid of cells.
struct LensFigureData {
    QString title;
    QStringList positionLabels;  // the input tokens, one per column
    QString layerAxisTitle;      // beside the layer labels ("layer"); empty: none
    QString positionAxisTitle;   // under the input tokens; empty: none
    int layers = 0;
    std::vector<LensCell> cells;  // [layer][position]; layer 0 reads the residual after block 1
    std::optional<int> selectedLayer;
    std::optional<int> selectedPosition;

    int positions() const { return static_cast<int>(positionLabels.size()); }
    const LensCell& cell(int layer, int position) const {
        return cells[static_cast<std::size_t>(layer) * positionLabels.size() + position];
    }
};

// The figure data of a lens: the token names come from `tokenName` (an id as a label), the
// column labels are `positionLabels` (one per lens position).
LensFigureData lensFigureData(const LogitLens& lens, const QStringList& positionLabels, const std::function<QString(int id)>& tokenName,
                              std::optional<int> selectedLayer = std::nullopt, std::optional<int> selectedPosition = std::nullopt);

// Token ids as labels through a tokenizer's vocabulary ("#id" for an id it does not know, or
// for every id when there is no tokenizer).
std::function<QString(int id)> vocabularyLabels(const Tokenizer* tokenizer);

}  // namespace attnscope::ui
