#pragma once
#include <QImage>
#include <QSize>
#include <QString>

#include "Figure.h"
#include "analysis/AttentionQuery.h"

namespace attnscope::ui {

enum class ExportFormat { Png, Svg, Pdf, Npy };

// From the file suffix (.png, .svg, .pdf, .npy); throws attnscope::Error for anything else.
ExportFormat exportFormatFor(const QString& path);

constexpr int kMaxExportPixels = 8000;  // per side

// Renders the figure at exactly `size` pixels (the whole figure, scaled, never cropped).
QImage renderFigure(const Figure& figure, const QSize& size);

// Writes PNG (at `pixelSize`, or the natural size when empty; at most 8000 px a side),
// SVG (vector shapes, labels as <text>) or PDF (vector). Atomic: a temporary file renamed
// into place. Throws attnscope::Error naming the path on failure.
void exportFigure(const Figure& figure, const QString& path, ExportFormat format, const QSize& pixelSize = {});

// The displayed matrix as float32 NPY [rows, cols]; atomic like exportFigure.
void exportMatrixNpy(const AttentionMatrix& matrix, const QString& path);

// Puts the figure on the clipboard as an image (and as SVG for apps that take it).
void copyFigureToClipboard(const Figure& figure, const QSize& pixelSize = {});

}  // namespace attnscope::ui
