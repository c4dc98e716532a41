#pragma once
#include <QSize>
#include <QString>

#include "FigureBuilder.h"
#include "FigureStyle.h"

namespace attnscope::ui {

class Figure;

// What the user asked to export: where to, the view (or the whole model grid), and for
// PNG the length of the longer side in pixels (0: the figure's natural size).
struct ExportChoice {
    QString path;
    bool wholeModelGrid = false;
    int longSide = 0;
};

// The pixel size of a PNG of `figure` whose longer side is `longSide` (capped at 8000),
// keeping the figure's shape; empty for longSide <= 0 (the exporter's natural size).
QSize exportPixelSize(const Figure& figure, int longSide);

// Writes what `request` shows in the format `path`'s suffix names (.png, .svg, .pdf), built
// through FigureBuilder and written by FigureExporter, the same path as `attnscope-cli render`.
// .npy writes the displayed matrix (the matrix view's, whatever `request.kind` is).
// Throws attnscope::Error naming the problem.
void exportView(const FigureSource& source, ViewRequest request, const FigureStyle& style, const QString& path, int longSide = 0);

// A page's own figure (the lens, the attribution, ...) as PNG, SVG or PDF. `what` names it in
// the errors: nothing to export yet (`figure` null; `notYet` says what to do) or NPY asked for.
void exportPageFigure(const Figure* figure, const QString& what, const QString& notYet, const QString& path, int longSide);
// The same on the clipboard, 2000 px on its longer side; nothing without a figure.
void copyPageFigure(const Figure* figure);

}  // namespace attnscope::ui
