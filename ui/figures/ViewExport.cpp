#include "ViewExport.h"

#include <algorithm>
#include <cmath>

#include "FigureExporter.h"

namespace attnscope::ui {

QSize exportPixelSize(const Figure& figure, int longSide) {
    if (longSide <= 0) return {};
    const QSizeF natural = figure.naturalSize();
    const double side = std::min(longSide, kMaxExportPixels);
    if (natural.isEmpty()) return {static_cast<int>(side), static_cast<int>(side)};
    const double scale = side / std::max(natural.width(), natural.height());
    return {std::max(1, static_cast<int>(std::lround(natural.width() * scale))),
            std::max(1, static_cast<int>(std::lround(natural.height() * scale)))};
}

void exportView(const FigureSource& source, ViewRequest request, const FigureStyle& style, const QString& path, int longSide) {
    const ExportFormat format = exportFormatFor(path);
    if (format == ExportFormat::Npy) {
        request.kind = ViewKind::Matrix;
        exportMatrixNpy(buildMatrixData(source, request).matrix, path);
        return;
    }
    const std::unique_ptr<Figure> figure = buildFigure(source, request, style);
    exportFigure(*figure, path, format, format == ExportFormat::Png ? exportPixelSize(*figure, longSide) : QSize());
}

}  // namespace attnscope::ui
