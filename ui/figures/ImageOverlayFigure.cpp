#include "ImageOverlayFigure.h"

#include <QFontMetricsF>
#include <QPaintEngine>
#include <QPainter>
#include <QTransform>

#include <algorithm>
#include <cmath>

#include "ColorBarPainter.h"
#include "ColorMap.h"
#include "ColorScale.h"
#include "FigurePainting.h"

namespace attnscope::ui {

namespace {

// Probability bars in Paul Tol's "bright" blue: apart from every attention colour map, so a
// bar never reads as an attention weight.
const QColor kBarColor(0x44, 0x77, 0xAA);

// The panel beside (or under) the image: [CLS]/[DIST] swatches, then the predictions.
// Everything here depends on the data and the style only, so it is measured once.
struct Panel {
    QFont headingFont, textFont, boldFont;
    double headingHeight = 0.0;
    double rowHeight = 0.0;
    double swatch = 0.0;
    double gap = 0.0;
    double sectionGap = 0.0;
    double keyLabelWidth = 0.0;
    double predictionLabelWidth = 0.0;
    double barWidth = 0.0;
    double valueWidth = 0.0;
    double offScaleWidth = 0.0;  // room for the note beside a weight above the colour bar's top
    double width = 0.0;
    double height = 0.0;
    bool empty() const { return width <= 0.0; }
};

struct ImageOverlayFigureLayout {
    QTransform toArea;  // logical -> area coordinates (a uniform shrink when the area is too small)
    QRectF bounds;
    QRectF title;
    QRectF image;
    QRectF caption;
    QRectF colorBar;
    QPointF panel;      // the panel's top-left
    bool panelBeside = true;
};

}  // namespace

struct ImageOverlayFigure::Impl {
    ImageOverlayFigureData data;
    FigureStyle style;
    ColorMap colorMap = ColorMap::viridis();
    ColorScale scale;
    Panel panel;
    double base = 12.0;
    double margin = 10.0;
    QFont titleFont, captionFont;
    // The image in grey, drawn under the attention colours so that every hue on the patch
    // grid is the colour map's own, never a mix with the picture's colours.
    QImage greyImage;

    int patchCount() const { return data.grid.count(); }
    // A non-patch key can pay more than any patch: its swatch then shows the top colour, and
    // the panel says that the weight lies above the bar.
    bool aboveScale(float weight) const { return weight > scale.globalMax() && scale.globalMax() > 0.0f; }
    float patchWeight(int p) const {
        return p >= 0 && p < static_cast<int>(data.patchWeights.size()) ? data.patchWeights[static_cast<std::size_t>(p)] : 0.0f;
    }
    // The image's size in its own pixels (a stand-in from the grid when there is no image).
    QSizeF imagePixels() const {
        if (!data.image.isNull()) return QSizeF(data.image.size());
        return QSizeF(std::max(1, data.grid.columns) * 16.0, std::max(1, data.grid.rows) * 16.0);
    }
    QString caption() const;
    double titleHeight() const { return data.title.isEmpty() ? 0.0 : QFontMetricsF(titleFont).height() + base * 0.6; }
    double captionHeight() const { return QFontMetricsF(captionFont).height() + base * 0.5; }
    double barBlock() const {
        if (!style.showColorBar) return 0.0;
        const ColorBarPainter bar(colorMap, scale, style);
        return base * 1.2 + bar.thickness() + bar.besideWidth();
    }
    double panelGapBeside() const { return base * 1.6; }
    double panelGapBelow() const { return base * 1.0; }

    void measurePanel();
    ImageOverlayFigureLayout layoutIn(const QRectF& bounds, bool* fits, QSizeF* needed) const;
    ImageOverlayFigureLayout layout(const QRectF& area) const;
    QRectF patchRect(const ImageOverlayFigureLayout& l, int patch) const;
    // Row i of the swatch list (the whole row, for hit tests).
    QRectF keyRow(const ImageOverlayFigureLayout& l, int i) const;
    void paintImage(QPainter& painter, const QRectF& target, const QImage& image) const;
    void paintCells(QPainter& painter, const ImageOverlayFigureLayout& l) const;
    void paintPanel(QPainter& painter, const ImageOverlayFigureLayout& l) const;
};

QString ImageOverlayFigure::Impl::caption() const {
    const PatchGrid& g = data.grid;
    const QSizeF pixels = imagePixels();
    const int patchWidth = g.columns > 0 ? static_cast<int>(pixels.width()) / g.columns : 0;
    const int patchHeight = g.rows > 0 ? static_cast<int>(pixels.height()) / g.rows : 0;
    return QStringLiteral("%1 × %2 patches of %3 × %4 px").arg(g.rows).arg(g.columns).arg(patchHeight).arg(patchWidth);
}

void ImageOverlayFigure::Impl::measurePanel() {
    Panel& p = panel;
    p.headingFont = figure::font(base, true);
    p.textFont = figure::font(base);
    p.boldFont = figure::font(base, true);
    const QFontMetricsF heading(p.headingFont);
    const QFontMetricsF text(p.textFont);
    const QFontMetricsF bold(p.boldFont);
    p.headingHeight = heading.height() + base * 0.35;
    p.rowHeight = std::ceil(text.height() * 1.5);
    p.swatch = std::round(text.height() * 1.1);
    p.gap = std::round(base * 0.5);
    p.sectionGap = std::round(base * 1.2);
    p.valueWidth = text.horizontalAdvance(QStringLiteral("0.0000"));
    const bool keys = !data.otherKeys.empty();
    const bool predictions = !data.predictions.empty();
    double width = 0.0;
    double height = 0.0;
    if (keys) {
        for (const auto& key : data.otherKeys) {
            p.keyLabelWidth = std::max(p.keyLabelWidth, bold.horizontalAdvance(key.label));
            if (aboveScale(key.weight)) p.offScaleWidth = p.gap + text.horizontalAdvance(QStringLiteral("(above the bar)"));
        }
        width = std::max({width, heading.horizontalAdvance(QStringLiteral("Special tokens")),
                          p.swatch + p.gap + p.keyLabelWidth + p.gap + p.valueWidth + p.offScaleWidth});
        height += p.headingHeight + p.rowHeight * static_cast<double>(data.otherKeys.size());
    }
    if (predictions) {
        for (const auto& prediction : data.predictions)
            p.predictionLabelWidth = std::max(p.predictionLabelWidth, bold.horizontalAdvance(prediction.label));
        p.predictionLabelWidth = std::min(p.predictionLabelWidth, base * 12.0);
        p.barWidth = std::round(base * 7.0);
        width = std::max({width, heading.horizontalAdvance(QStringLiteral("Prediction")),
                          p.predictionLabelWidth + p.gap + p.barWidth + p.gap + bold.horizontalAdvance(QStringLiteral("100.0%"))});
        if (keys) height += p.sectionGap;
        height += p.headingHeight + p.rowHeight * static_cast<double>(data.predictions.size());
    }
    p.width = std::ceil(width);
    p.height = std::ceil(height);
}

ImageOverlayFigureLayout ImageOverlayFigure::Impl::layoutIn(const QRectF& bounds, bool* fits, QSizeF* needed) const {
    ImageOverlayFigureLayout l;
    l.bounds = bounds;
    const QSizeF pixels = imagePixels();
    const double titleH = titleHeight();
    const double captionH = captionHeight();
    const double bar = barBlock();
    const double width = bounds.width() - 2 * margin;
    const double height = bounds.height() - 2 * margin;
    const bool hasPanel = !panel.empty();

    // The image's scale with the panel beside it and with the panel under it; the larger wins.
    const double besideWidth = width - bar - (hasPanel ? panelGapBeside() + panel.width : 0.0);
    double besideScale = std::min(besideWidth / pixels.width(), (height - titleH - captionH) / pixels.height());
    if (height - titleH < panel.height) besideScale = 0.0;
    double belowScale = 0.0;
    if (hasPanel && panel.width <= width)
        belowScale = std::min((width - bar) / pixels.width(), (height - titleH - captionH - panelGapBelow() - panel.height) / pixels.height());
    l.panelBeside = !hasPanel || besideScale >= belowScale;
    double s = std::max(besideScale, belowScale);

    // The smallest image worth laying out around labels of full size; in a smaller area the
    // whole figure shrinks instead, so a thumbnail keeps the picture's share of the room.
    const double smallest = base * 18.0 / std::max(pixels.width(), pixels.height());
    const double neededWidth = 2 * margin + pixels.width() * smallest + bar + (hasPanel ? panelGapBeside() + panel.width : 0.0);
    const double neededHeight = 2 * margin + titleH + std::max(pixels.height() * smallest + captionH, panel.height);
    *needed = QSizeF(neededWidth, neededHeight);
    *fits = s >= smallest;
    if (!*fits) {
        l.panelBeside = true;
        s = smallest;
    }
    // Whole logical pixels per image pixel keep the model's pixels equally sized on screen.
    if (s >= 2.0) s = std::floor(s);

    const QSizeF imageSize(pixels.width() * s, pixels.height() * s);
    double contentWidth = imageSize.width() + bar;
    double contentHeight = titleH + imageSize.height() + captionH;
    if (hasPanel && l.panelBeside) {
        contentWidth += panelGapBeside() + panel.width;
        contentHeight = titleH + std::max(imageSize.height() + captionH, panel.height);
    } else if (hasPanel) {
        contentWidth = std::max(contentWidth, panel.width);
        contentHeight += panelGapBelow() + panel.height;
    }
    const double left = bounds.left() + margin + std::max(0.0, (width - contentWidth) / 2.0);
    const double top = bounds.top() + margin + std::max(0.0, (height - contentHeight) / 2.0);
    l.image = QRectF(QPointF(left, top + titleH), imageSize);
    l.caption = QRectF(l.image.left() - base * 4.0, l.image.bottom() + base * 0.3, l.image.width() + base * 8.0, captionH - base * 0.3);
    if (style.showColorBar) l.colorBar = QRectF(l.image.right() + base * 1.2, l.image.top(), ColorBarPainter(colorMap, scale, style).thickness(), imageSize.height());
    l.panel = l.panelBeside ? QPointF(l.image.right() + bar + panelGapBeside(), l.image.top())
                            : QPointF(l.image.left(), l.image.bottom() + captionH + panelGapBelow());
    // The title is centred on the content but may use the whole width.
    const QFontMetricsF titleMetrics(titleFont);
    const double titleWidth = std::min(bounds.width() - 2 * margin, titleMetrics.horizontalAdvance(data.title) + 4.0);
    const double centre = left + contentWidth / 2.0;
    const double titleLeft = std::clamp(centre - titleWidth / 2.0, bounds.left() + margin,
                                        std::max(bounds.left() + margin, bounds.right() - margin - titleWidth));
    l.title = QRectF(titleLeft, top, titleWidth, titleMetrics.height());
    return l;
}

ImageOverlayFigureLayout ImageOverlayFigure::Impl::layout(const QRectF& area) const {
    return figure::layoutShrunkToFit(area, [&](const QRectF& bounds, bool* fits, QSizeF* needed) { return layoutIn(bounds, fits, needed); });
}

QRectF ImageOverlayFigure::Impl::patchRect(const ImageOverlayFigureLayout& l, int patch) const {
    const PatchGrid& g = data.grid;
    if (patch < 0 || patch >= g.count()) return {};
    const double w = l.image.width() / g.columns;
    const double h = l.image.height() / g.rows;
    return {l.image.left() + (patch % g.columns) * w, l.image.top() + (patch / g.columns) * h, w, h};
}

QRectF ImageOverlayFigure::Impl::keyRow(const ImageOverlayFigureLayout& l, int i) const {
    return {l.panel.x(), l.panel.y() + panel.headingHeight + i * panel.rowHeight, panel.width, panel.rowHeight};
}

ImageOverlayFigure::ImageOverlayFigure(ImageOverlayFigureData data, FigureStyle style) {
    auto impl = std::make_shared<Impl>();
    impl->data = std::move(data);
    impl->style = std::move(style);
    impl->colorMap = ColorMap::forValues(impl->style.colorMap, impl->data.difference);
    // The scale spans the patch weights only: see the class comment.
    AttentionMatrix patches;
    patches.rows = 1;
    patches.cols = impl->patchCount();
    patches.difference = impl->data.difference;
    patches.values.resize(static_cast<std::size_t>(std::max(0, patches.cols)));
    for (int p = 0; p < patches.cols; ++p) patches.values[static_cast<std::size_t>(p)] = impl->patchWeight(p);
    impl->scale = ColorScale(patches, impl->style.scale, impl->style.normalization);
    impl->base = figure::basePixels(impl->style);
    impl->margin = std::round(impl->base * 0.8);
    impl->titleFont = figure::font(impl->base * 1.25, true);
    impl->captionFont = figure::font(impl->base * 0.9);
    if (!impl->data.image.isNull()) impl->greyImage = impl->data.image.convertToFormat(QImage::Format_Grayscale8);
    impl->measurePanel();
    d_ = std::move(impl);
}

const ImageOverlayFigureData& ImageOverlayFigure::data() const { return d_->data; }
const FigureStyle& ImageOverlayFigure::style() const { return d_->style; }

QColor ImageOverlayFigure::patchColor(int patch) const {
    return d_->colorMap.colorAt(d_->scale.position(0, d_->patchWeight(patch)));
}

QSizeF ImageOverlayFigure::naturalSize() const {
    const Impl& d = *d_;
    const QSizeF pixels = d.imagePixels();
    // A whole number of screen pixels per image pixel, about 28 label heights across.
    const double s = std::max(1.0, std::ceil(d.base * 28.0 / std::max(pixels.width(), pixels.height())));
    const double panelWidth = d.panel.empty() ? 0.0 : d.panelGapBeside() + d.panel.width;
    double width = 2 * d.margin + pixels.width() * s + d.barBlock() + panelWidth;
    const double height = 2 * d.margin + d.titleHeight() + std::max(pixels.height() * s + d.captionHeight(), d.panel.height);
    if (!d.data.title.isEmpty()) width = std::max(width, 4 * d.margin + QFontMetricsF(d.titleFont).horizontalAdvance(d.data.title));
    return {std::ceil(width), std::ceil(height)};
}

void ImageOverlayFigure::Impl::paintImage(QPainter& painter, const QRectF& target, const QImage& image) const {
    if (image.isNull()) {
        painter.fillRect(target, QColor(128, 128, 128));
        return;
    }
    // Square, sharp pixels: the image is enlarged by a whole factor with nearest-neighbour
    // sampling first, so neither the raster painter nor an SVG or PDF viewer smooths it.
    const QPaintEngine* engine = painter.paintEngine();
    const bool vector = engine && (engine->type() == QPaintEngine::SVG || engine->type() == QPaintEngine::Pdf);
    const QRectF device = painter.deviceTransform().mapRect(target);
    const double side = std::max(device.width(), vector ? 1024.0 : 0.0);
    const int longer = std::max(image.width(), image.height());
    const int factor = std::clamp(static_cast<int>(std::ceil(side / image.width())), 1, std::max(1, 2048 / longer));
    const QImage enlarged =
        factor == 1 ? image : image.scaled(image.width() * factor, image.height() * factor, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(target, enlarged);
    painter.restore();
}

void ImageOverlayFigure::Impl::paintCells(QPainter& painter, const ImageOverlayFigureLayout& l) const {
    const PatchGrid& g = data.grid;
    const double opacity = std::clamp(style.overlayOpacity, 0.0, 1.0);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(Qt::NoPen);
    if (opacity > 0.0) {
        for (int p = 0; p < g.count(); ++p) {
            painter.setBrush(figure::withAlpha(colorMap.colorAt(scale.position(0, patchWeight(p))), opacity));
            painter.drawRect(patchRect(l, p));
        }
    }
    painter.restore();

    // At opacity 0 the image alone: no grid and no numbers on it either (the query's ring stays).
    const double cellWidth = l.image.width() / std::max(1, g.columns);
    const double cellHeight = l.image.height() / std::max(1, g.rows);
    // The grid, thin and half transparent so it never hides the image; it also covers the
    // hairline seams viewers draw between neighbouring translucent cells.
    if (opacity > 0.0 && std::min(cellWidth, cellHeight) >= 6.0) {
        painter.save();
        painter.setRenderHint(QPainter::Antialiasing, true);
        painter.setPen(QPen(QColor(255, 255, 255, 120), std::max(0.75, style.lineWidth * 0.75)));
        for (int c = 1; c < g.columns; ++c) {
            const double x = l.image.left() + c * cellWidth;
            painter.drawLine(QPointF(x, l.image.top()), QPointF(x, l.image.bottom()));
        }
        for (int r = 1; r < g.rows; ++r) {
            const double y = l.image.top() + r * cellHeight;
            painter.drawLine(QPointF(l.image.left(), y), QPointF(l.image.right(), y));
        }
        painter.restore();
    }

    // Each patch's weight written in it when the cells are large enough to hold it readably,
    // in a size that grows a little with the cells.
    const QFont cellFont = figure::font(std::clamp(std::min(cellWidth, cellHeight) * 0.12, base * 0.85, base * 1.3), true);
    const QFontMetricsF metrics(cellFont);
    const double textWidth = metrics.horizontalAdvance(QStringLiteral("0.00"));
    if (opacity > 0.0 && cellWidth >= textWidth * 1.9 && cellHeight >= metrics.height() * 2.2) {
        painter.save();
        painter.setRenderHint(QPainter::Antialiasing, true);
        painter.setFont(cellFont);
        for (int p = 0; p < g.count(); ++p) {
            // A "0.00" in every quiet patch would only bury the ones that matter; a difference
            // (A − B) is quiet near zero on either side, and says its sign.
            const float v = patchWeight(p);
            if ((data.difference ? std::abs(v) : v) < 0.005f) continue;
            const QRectF cell = patchRect(l, p);
            const QString text = data.difference ? (v < 0 ? QStringLiteral("−") : QStringLiteral("+")) + QString::number(std::abs(v), 'f', 2)
                                              : QString::number(v, 'f', 2);
            const double w = metrics.horizontalAdvance(text) + base * 0.6;
            const double h = metrics.height() + base * 0.15;
            // Bottom right, clear of the centre a reader looks at first.
            const QRectF pill(cell.right() - w - base * 0.25, cell.bottom() - h - base * 0.25, w, h);
            painter.setPen(Qt::NoPen);
            painter.setBrush(QColor(0, 0, 0, 150));
            painter.drawRoundedRect(pill, h / 2.0, h / 2.0);
            painter.setPen(Qt::white);
            painter.drawText(pill, Qt::AlignCenter, text);
        }
        painter.restore();
    }

    // The query's own patch, in two rings that show on every colour.
    if (data.queryPatch >= 0) {
        const QRectF cell = patchRect(l, data.queryPatch).adjusted(1.0, 1.0, -1.0, -1.0);
        painter.save();
        painter.setRenderHint(QPainter::Antialiasing, true);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(Qt::black, std::max(3.0, style.lineWidth * 3.0)));
        painter.drawRect(cell);
        painter.setPen(QPen(Qt::white, std::max(1.5, style.lineWidth * 1.5)));
        painter.drawRect(cell);
        painter.restore();
    }
}

void ImageOverlayFigure::Impl::paintPanel(QPainter& painter, const ImageOverlayFigureLayout& l) const {
    const Panel& p = panel;
    const QColor muted = figure::mix(style.foreground, style.background, 0.35);
    const QColor edge = figure::mix(style.foreground, style.background, 0.6);
    double y = l.panel.y();
    const double x = l.panel.x();
    auto heading = [&](const QString& title) {
        painter.setFont(p.headingFont);
        painter.setPen(muted);
        painter.drawText(QRectF(x, y, p.width, p.headingHeight), Qt::AlignLeft | Qt::AlignTop, title);
        y += p.headingHeight;
    };

    if (!data.otherKeys.empty()) {
        heading(QStringLiteral("Special tokens"));
        for (const auto& key : data.otherKeys) {
            const double centre = y + p.rowHeight / 2.0;
            const QRectF swatch(x, centre - p.swatch / 2.0, p.swatch, p.swatch);
            painter.setBrush(colorMap.colorAt(scale.position(0, key.weight)));
            painter.setPen(QPen(edge, std::max(0.5, style.lineWidth * 0.75)));
            painter.drawRoundedRect(swatch, p.swatch * 0.15, p.swatch * 0.15);
            const QRectF label(swatch.right() + p.gap, y, p.keyLabelWidth, p.rowHeight);
            painter.setFont(p.boldFont);
            painter.setPen(style.foreground);
            painter.drawText(label, Qt::AlignLeft | Qt::AlignVCenter, key.label);
            painter.setFont(p.textFont);
            const QRectF value(label.right() + p.gap, y, p.valueWidth + 2.0, p.rowHeight);
            painter.drawText(value, Qt::AlignLeft | Qt::AlignVCenter, QString::number(key.weight, 'f', 4));
            if (aboveScale(key.weight)) {
                painter.setPen(muted);
                painter.drawText(QRectF(value.right() - 2.0 + p.gap, y, p.offScaleWidth + 2.0, p.rowHeight), Qt::AlignLeft | Qt::AlignVCenter,
                                 QStringLiteral("(above the bar)"));
            }
            y += p.rowHeight;
        }
        y += p.sectionGap;
    }

    if (!data.predictions.empty()) {
        heading(QStringLiteral("Prediction"));
        for (std::size_t i = 0; i < data.predictions.size(); ++i) {
            const ClassPrediction& prediction = data.predictions[i];
            const QFont& font = i == 0 ? p.boldFont : p.textFont;
            painter.setFont(font);
            painter.setPen(style.foreground);
            const QRectF label(x, y, p.predictionLabelWidth, p.rowHeight);
            painter.drawText(label, Qt::AlignLeft | Qt::AlignVCenter,
                             QFontMetricsF(font).elidedText(prediction.label, Qt::ElideRight, label.width() + 1.0));
            const double barHeight = std::round(p.rowHeight * 0.5);
            const QRectF track(label.right() + p.gap, y + (p.rowHeight - barHeight) / 2.0, p.barWidth, barHeight);
            painter.setPen(Qt::NoPen);
            painter.setBrush(figure::mix(style.foreground, style.background, 0.88));
            painter.drawRect(track);
            const double probability = std::clamp(static_cast<double>(prediction.probability), 0.0, 1.0);
            if (probability > 0.0) {
                painter.setBrush(kBarColor);
                painter.drawRect(QRectF(track.topLeft(), QSizeF(std::max(1.0, track.width() * probability), track.height())));
            }
            painter.setPen(style.foreground);
            painter.drawText(QRectF(track.right() + p.gap, y, QFontMetricsF(font).horizontalAdvance(QStringLiteral("100.0%")) + 2.0, p.rowHeight),
                             Qt::AlignLeft | Qt::AlignVCenter, QString::number(probability * 100.0, 'f', 1) + QLatin1Char('%'));
            y += p.rowHeight;
        }
    }
}

void ImageOverlayFigure::paint(QPainter& painter, const QRectF& area) const {
    const Impl& d = *d_;
    figure::PaintScope scope(painter, area, d.style, !d.data.grid.isValid(), QStringLiteral("No image to show"));
    if (scope.empty()) return;
    const ImageOverlayFigureLayout l = d.layout(area);
    scope.enterLayout(l.toArea);

    if (!d.data.title.isEmpty()) {
        painter.setPen(d.style.foreground);
        figure::drawCenteredText(painter, l.title, d.data.title, d.titleFont);
    }
    // At opacity 0 the image as the model saw it; under any colour, in grey (see greyImage).
    d.paintImage(painter, l.image, d.style.overlayOpacity > 0.0 ? d.greyImage : d.data.image);
    d.paintCells(painter, l);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(figure::mix(d.style.foreground, d.style.background, 0.4), std::max(0.5, d.style.lineWidth * 0.75)));
    painter.drawRect(l.image);
    painter.setPen(figure::mix(d.style.foreground, d.style.background, 0.35));
    figure::drawCenteredText(painter, l.caption, d.caption(), d.captionFont);
    if (d.style.showColorBar) ColorBarPainter(d.colorMap, d.scale, d.style).paintVertical(painter, l.colorBar);
    d.paintPanel(painter, l);
}

QRectF ImageOverlayFigure::imageRect(const QRectF& area) const {
    if (!d_->data.grid.isValid()) return {};
    const ImageOverlayFigureLayout l = d_->layout(area);
    return l.toArea.mapRect(l.image);
}

QRectF ImageOverlayFigure::patchRect(const QRectF& area, int patch) const {
    if (!d_->data.grid.isValid()) return {};
    const ImageOverlayFigureLayout l = d_->layout(area);
    return l.toArea.mapRect(d_->patchRect(l, patch));
}

QRectF ImageOverlayFigure::otherKeyRect(const QRectF& area, int index) const {
    if (!d_->data.grid.isValid() || index < 0 || index >= static_cast<int>(d_->data.otherKeys.size())) return {};
    const ImageOverlayFigureLayout l = d_->layout(area);
    return l.toArea.mapRect(d_->keyRow(l, index));
}

ImageOverlayFigure::Hit ImageOverlayFigure::hitTest(const QRectF& area, const QPointF& pos) const {
    const Impl& d = *d_;
    const PatchGrid& g = d.data.grid;
    if (!g.isValid()) return {};
    const ImageOverlayFigureLayout l = d.layout(area);
    const QPointF p = l.toArea.inverted().map(pos);
    if (l.image.contains(p) && l.image.width() > 0 && l.image.height() > 0) {
        const int column = std::clamp(static_cast<int>((p.x() - l.image.left()) / (l.image.width() / g.columns)), 0, g.columns - 1);
        const int row = std::clamp(static_cast<int>((p.y() - l.image.top()) / (l.image.height() / g.rows)), 0, g.rows - 1);
        const int patch = row * g.columns + column;
        return {patch, g.tokenOfPatch(patch)};
    }
    for (int i = 0; i < static_cast<int>(d.data.otherKeys.size()); ++i)
        if (d.keyRow(l, i).contains(p)) return {-1, d.data.otherKeys[static_cast<std::size_t>(i)].token};
    return {};
}

float ImageOverlayFigure::weight(const Hit& hit) const {
    if (hit.patch >= 0) return d_->patchWeight(hit.patch);
    for (const auto& key : d_->data.otherKeys)
        if (key.token == hit.token && hit.token >= 0) return key.weight;
    return 0.0f;
}

QString ImageOverlayFigure::toolTip(const Hit& hit) const {
    if (!hit.isValid()) return {};
    const QString value = QString::number(weight(hit), 'f', 4);
    if (hit.patch >= 0) {
        const int columns = d_->data.grid.columns;
        return QStringLiteral("patch %1,%2: %3").arg(hit.patch / columns).arg(hit.patch % columns).arg(value);
    }
    for (const auto& key : d_->data.otherKeys)
        if (key.token == hit.token) return QStringLiteral("%1: %2").arg(key.label, value);
    return {};
}

}  // namespace attnscope::ui
