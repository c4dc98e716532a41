#include "ViewExport.h"

#include <algorithm>
#include <cmath>

#include "Error.h"
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

void exportPageFigure(const Figure* figure, const QString& what, const QString& notYet, const QString& path, int longSide) {
    if (!figure) throw Error(QStringLiteral("there is no %1 to export yet: %2").arg(what, notYet).toStdString());
    const ExportFormat format = exportFormatFor(path);
    if (format == ExportFormat::Npy)
        throw Error(QStringLiteral("NPY export is for attention matrices; save the %1 as PNG, SVG or PDF").arg(what).toStdString());
    exportFigure(*figure, path, format, format == ExportFormat::Png ? exportPixelSize(*figure, longSide) : QSize());
}

void copyPageFigure(const Figure* figure) {
    if (figure) copyFigureToClipboard(*figure, exportPixelSize(*figure, 2000));
}

}  // namespace attnscope::ui
