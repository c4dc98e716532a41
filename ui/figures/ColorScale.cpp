#include "ColorScale.h"

#include <algorithm>
#include <cmath>

#include "FigurePainting.h"

namespace attnscope::ui {

namespace {

// "10⁻³" for a power of ten.
QString powerOfTen(int exponent) {
    static const QString digits = QStringLiteral("⁰¹²³⁴⁵⁶⁷⁸⁹");
    if (exponent == 0) return QStringLiteral("1");
    QString text = QStringLiteral("10");
    if (exponent < 0) text += QChar(0x207B);  // superscript minus
    for (QChar c : QString::number(std::abs(exponent))) text += digits[c.digitValue()];
    return text;
}

}  // namespace

float ColorScale::maxOf(const AttentionMatrix& matrix) {
    float hi = 0.0f;
    for (float v : matrix.values)
        if ((matrix.difference ? std::abs(v) : v) > hi) hi = matrix.difference ? std::abs(v) : v;  // NaN never compares greater
    return hi;
}

ColorScale::ColorScale(const AttentionMatrix& matrix, ValueScale scale, Normalization normalization, float globalMax)
    : scale_(scale), normalization_(normalization), leftOutKeys_(matrix.leftOutKeys) {
    globalMax_ = globalMax >= 0.0f ? globalMax : maxOf(matrix);
    if (matrix.difference) {
        *this = symmetric(globalMax_, QStringLiteral("difference of weights, A − B"));
        return;
    }
    if (normalization_ == Normalization::PerRow) {
        rowMax_.assign(static_cast<std::size_t>(matrix.rows), 0.0f);
        for (int r = 0; r < matrix.rows; ++r)
            for (int c = 0; c < matrix.cols; ++c) rowMax_[r] = std::max(rowMax_[r], matrix.at(r, c));
    }
}

ColorScale ColorScale::symmetric(float maxAbs, QString caption) {
    ColorScale s;
    s.symmetric_ = true;
    s.globalMax_ = maxAbs;
    s.caption_ = std::move(caption);
    return s;
}

double ColorScale::positionAgainst(float value, float reference) const {
    if (symmetric_) {
        if (std::isnan(value) || !(reference > 0.0f)) return 0.5;
        return std::clamp(0.5 + 0.5 * static_cast<double>(value) / reference, 0.0, 1.0);
    }
    if (!(value > 0.0f)) return 0.0;  // zero, negative and NaN: the bottom colour
    if (!(reference > 0.0f)) return 1.0;
    const double u = std::min(1.0, static_cast<double>(value) / reference);
    if (scale_ == ValueScale::Linear) return u;
    if (normalization_ == Normalization::PerRow) return 1.0 - std::log10(std::max(u, kLogFloor)) / std::log10(kLogFloor);
    // Global log: absolute weights from the floor up to the maximum.
    const double lo = std::log10(kLogFloor);
    const double hi = std::log10(std::max(static_cast<double>(reference), kLogFloor * 10.0));
    return std::clamp((std::log10(std::max(static_cast<double>(value), kLogFloor)) - lo) / (hi - lo), 0.0, 1.0);
}

double ColorScale::position(int row, float value) const {
    if (normalization_ == Normalization::PerRow)
        return positionAgainst(value, row >= 0 && row < static_cast<int>(rowMax_.size()) ? rowMax_[row] : 0.0f);
    return positionAgainst(value, globalMax_);
}

std::vector<ColorScale::Tick> ColorScale::ticks(int maxTicks) const {
    std::vector<Tick> out;
    maxTicks = std::max(2, maxTicks);
    if (symmetric_) {
        const double hi = globalMax_ > 0.0f ? globalMax_ : 1.0;
        int decimals = 0;
        for (double v : figure::niceTicks(-hi, hi, std::min(maxTicks, 7), &decimals))
            out.push_back({0.5 + 0.5 * v / hi, QString::number(std::abs(v) < 1e-12 ? 0.0 : v, 'f', decimals)});
        return out;
    }
    const bool perRow = normalization_ == Normalization::PerRow;
    if (scale_ == ValueScale::Linear) {
        const double hi = perRow ? 1.0 : (globalMax_ > 0.0f ? globalMax_ : 1.0);
        int decimals = 0;
        for (double v : figure::niceTicks(0.0, hi, std::min(maxTicks, 6), &decimals))
            out.push_back({v / hi, QString::number(v, 'f', decimals)});
        return out;
    }
    // Log: powers of ten between the floor and the top, thinned to fit.
    const double top = perRow ? 1.0 : std::max(static_cast<double>(globalMax_), kLogFloor * 10.0);
    const int lo = static_cast<int>(std::lround(std::log10(kLogFloor)));
    const int hi = static_cast<int>(std::floor(std::log10(top) + 1e-9));
    const int count = hi - lo + 1;
    const int step = std::max(1, (count + maxTicks - 1) / maxTicks);
    for (int e = hi; e >= lo; e -= step) {
        const double position = perRow ? 1.0 - e / static_cast<double>(lo) : positionAgainst(static_cast<float>(std::pow(10.0, e)), static_cast<float>(top));
        out.push_back({position, powerOfTen(e)});
    }
    std::reverse(out.begin(), out.end());
    return out;
}

QString ColorScale::caption() const {
    if (symmetric_) return caption_;
    QString text = normalization_ == Normalization::PerRow ? QStringLiteral("weight ÷ row max") : QStringLiteral("attention weight");
    if (scale_ == ValueScale::Log) text += QStringLiteral(" (log)");
    if (leftOutKeys_ > 0) text += leftOutKeys_ == 1 ? QStringLiteral(", sink left out") : QStringLiteral(", sinks left out");
    return text;
}

}  // namespace attnscope::ui
