#include "FigureExporter.h"

#include <QBuffer>
#include <QClipboard>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMimeData>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

#include "Error.h"
#include "io/NpyWriter.h"

namespace attnscope::ui {

namespace {

std::string text(const QString& s) { return s.toStdString(); }

[[noreturn]] void fail(const QString& path, const QString& why) {
    throw Error("cannot write " + text(path) + ": " + text(why));
}

// The size an export gets: the requested one, or the figure's natural size shrunk (keeping
// its shape) to the 8000 px limit.
QSize exportSize(const Figure& figure, const QSize& requested) {
    if (!requested.isEmpty()) return requested;
    QSizeF natural = figure.naturalSize();
    if (natural.isEmpty()) natural = QSizeF(640, 480);
    const double s = std::min({1.0, kMaxExportPixels / natural.width(), kMaxExportPixels / natural.height()});
    return QSize(std::clamp(static_cast<int>(std::ceil(natural.width() * s)), 1, kMaxExportPixels),
                 std::clamp(static_cast<int>(std::ceil(natural.height() * s)), 1, kMaxExportPixels));
}

void checkSize(const QString& path, const QSize& size) {
    if (size.width() < 1 || size.height() < 1)
        fail(path, QStringLiteral("the image size %1 x %2 is empty").arg(size.width()).arg(size.height()));
    if (size.width() > kMaxExportPixels || size.height() > kMaxExportPixels)
        fail(path, QStringLiteral("%1 x %2 px is too large (at most %3 px a side)").arg(size.width()).arg(size.height()).arg(kMaxExportPixels));
}

// Paints the whole figure into `size` device units. A target larger than the figure's
// natural size draws it proportionally larger (labels grow with it); a smaller one lays it
// out at that size (smaller cells, thinned labels) and the figure itself never crops.
void paintScaled(QPainter& painter, const Figure& figure, const QSizeF& size) {
    const QSizeF natural = figure.naturalSize();
    double s = 1.0;
    if (!natural.isEmpty()) s = std::max(1.0, std::min(size.width() / natural.width(), size.height() / natural.height()));
    painter.scale(s, s);
    figure.paint(painter, QRectF(0.0, 0.0, size.width() / s, size.height() / s));
}

QByteArray svgBytes(const Figure& figure, const QSize& size) {
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setResolution(96);
    generator.setTitle(QStringLiteral("AttnScope figure"));
    generator.setDescription(QStringLiteral("Made with AttnScope"));
    QPainter painter(&generator);
    paintScaled(painter, figure, size);
    painter.end();
    return buffer.data();
}

void openSaveFile(QSaveFile& file, const QString& path) {
    const QFileInfo info(path);
    if (!info.absoluteDir().exists()) fail(path, QStringLiteral("folder %1 does not exist").arg(info.absolutePath()));
    if (info.isDir()) fail(path, QStringLiteral("it is a folder"));
    if (!file.open(QIODevice::WriteOnly)) fail(path, file.errorString());
}

void commit(QSaveFile& file, const QString& path) {
    if (!file.commit()) fail(path, file.errorString());
}

}  // namespace

ExportFormat exportFormatFor(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) return ExportFormat::Png;
    if (suffix == QLatin1String("svg")) return ExportFormat::Svg;
    if (suffix == QLatin1String("pdf")) return ExportFormat::Pdf;
    if (suffix == QLatin1String("npy")) return ExportFormat::Npy;
    throw Error("cannot export to " + text(path) + ": unknown file type " + (suffix.isEmpty() ? std::string("(no suffix)") : "'." + text(suffix) + "'") +
                " (expected .png, .svg, .pdf or .npy)");
}

QImage renderFigure(const Figure& figure, const QSize& size) {
    if (size.isEmpty()) return {};
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) return image;  // out of memory
    image.fill(Qt::transparent);  // the figure paints its own background (which may be transparent)
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    paintScaled(painter, figure, QSizeF(size));
    painter.end();
    return image;
}

void exportFigure(const Figure& figure, const QString& path, ExportFormat format, const QSize& pixelSize) {
    if (format == ExportFormat::Npy) fail(path, QStringLiteral("an NPY file holds a matrix, not a figure (use exportMatrixNpy)"));
    const QSize size = exportSize(figure, pixelSize);
    checkSize(path, size);
    QSaveFile file(path);
    openSaveFile(file, path);
    switch (format) {
    case ExportFormat::Png: {
        const QImage image = renderFigure(figure, size);
        if (image.isNull()) fail(path, QStringLiteral("out of memory for a %1 x %2 image").arg(size.width()).arg(size.height()));
        if (!image.save(&file, "PNG")) fail(path, QStringLiteral("PNG encoding failed"));
        break;
    }
    case ExportFormat::Svg: {
        const QByteArray bytes = svgBytes(figure, size);
        if (file.write(bytes) != bytes.size()) fail(path, file.errorString());
        break;
    }
    case ExportFormat::Pdf: {
        QPdfWriter writer(&file);
        writer.setCreator(QStringLiteral("AttnScope"));
        writer.setTitle(QStringLiteral("AttnScope figure"));
        // One logical pixel = one point; the page is exactly the figure.
        writer.setResolution(72);
        writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout::Point);
        writer.setPageSize(QPageSize(QSizeF(size), QPageSize::Point, QString(), QPageSize::ExactMatch));
        QPainter painter;
        if (!painter.begin(&writer)) fail(path, QStringLiteral("the PDF writer could not start"));
        paintScaled(painter, figure, QSizeF(size));
        painter.end();
        break;
    }
    case ExportFormat::Npy: break;
    }
    commit(file, path);
}

void exportMatrixNpy(const AttentionMatrix& matrix, const QString& path) {
    if (static_cast<std::size_t>(matrix.rows) * matrix.cols != matrix.values.size())
        fail(path, QStringLiteral("the matrix is inconsistent"));
    writeNpyFloat32(std::filesystem::path(path.toStdString()), {matrix.rows, matrix.cols}, matrix.values.data());
}

void copyFigureToClipboard(const Figure& figure, const QSize& pixelSize) {
    QClipboard* clipboard = QGuiApplication::clipboard();
    if (!clipboard) return;
    QSize size = exportSize(figure, pixelSize);
    size = size.boundedTo(QSize(kMaxExportPixels, kMaxExportPixels));
    auto* mime = new QMimeData;
    mime->setImageData(renderFigure(figure, size));
    mime->setData(QStringLiteral("image/svg+xml"), svgBytes(figure, size));
    clipboard->setMimeData(mime);
}

}  // namespace attnscope::ui
