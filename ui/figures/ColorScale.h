#pragma once
#include <QString>

#include <vector>

#include "FigureStyle.h"
#include "analysis/AttentionQuery.h"

namespace attnscope::ui {

// Value -> colour-map position for one matrix (or several that share a scale), as the
// style asks: linear or logarithmic, relative to the global maximum or to each row's own.
// Only presentation: the values themselves come from the engine unchanged.
class ColorScale {
public:
    // Log scale: weights at or below this fraction of the reference map to the bottom colour.
    static constexpr double kLogFloor = 1e-4;

    struct Tick {
        double position;  // 0 (bottom of the bar) .. 1 (top)
        QString text;
    };

    ColorScale() = default;
    // The scale for `matrix`; globalMax < 0 takes the matrix's own maximum (several figures
    // share one scale by passing the same globalMax).
    ColorScale(const AttentionMatrix& matrix, ValueScale scale, Normalization normalization, float globalMax = -1.0f);

    // Signed values (attributions, differences) from −maxAbs through 0 to maxAbs, linear, for a
    // diverging map: 0 sits at its centre. `caption` says what the colour bar measures.
    static ColorScale symmetric(float maxAbs, QString caption);
    bool isSymmetric() const { return symmetric_; }

    // A difference matrix (AttentionMatrix::difference) gets the symmetric scale, whatever the
    // style asks: a log scale or a row's maximum mean nothing for signed values.
    // Largest value of the matrix (0 when empty); of a difference, the largest magnitude.
    static float maxOf(const AttentionMatrix& matrix);

    // The colour-map position, 0..1, of `value` in matrix row `row`.
    double position(int row, float value) const;
    // The position of `value` against an explicit reference maximum.
    double positionAgainst(float value, float reference) const;

    // Colour-bar ticks; at most maxTicks of them.
    std::vector<Tick> ticks(int maxTicks) const;
    // What the colour bar measures, e.g. "attention weight (log scale)".
    QString caption() const;

    ValueScale valueScale() const { return scale_; }
    Normalization normalization() const { return normalization_; }
    float globalMax() const { return globalMax_; }

private:
    ValueScale scale_ = ValueScale::Linear;
    Normalization normalization_ = Normalization::Global;
    float globalMax_ = 1.0f;
    bool symmetric_ = false;
    QString caption_;  // a symmetric scale's own caption
    int leftOutKeys_ = 0;  // the matrix's sinks left out: the bar says its weights are renormalised
    std::vector<float> rowMax_;
};

}  // namespace attnscope::ui
