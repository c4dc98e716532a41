#pragma once
#include <QColor>
#include <QString>

namespace attnscope::ui {

enum class ValueScale { Linear, Log };
enum class Normalization { Global, PerRow };

// How values become colours and how text and lines look; shared by every figure.
struct FigureStyle {
    QString colorMap = QStringLiteral("viridis");  // ColorMap::byName: viridis, magma, cividis, grayscale
    ValueScale scale = ValueScale::Linear;
    Normalization normalization = Normalization::Global;
    double fontPointSize = 9.0;  // base label size; classroom mode raises it
    double lineWidth = 1.0;      // base stroke width; classroom mode raises it
    QColor background = Qt::white;
    QColor foreground = Qt::black;
    bool showColorBar = true;
    // The image overlay: how strongly the attention colours cover the image (0: the image
    // alone, 1: the colours alone).
    double overlayOpacity = 0.6;

    bool operator==(const FigureStyle&) const = default;
};

}  // namespace attnscope::ui
