#include "FigurePainting.h"

#include "ColorMap.h"
#include "Figure.h"

#include <QFontInfo>
#include <QGuiApplication>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace attnscope::ui::figure {

double basePixels(const FigureStyle& style) { return std::clamp(style.fontPointSize, 4.0, 96.0) * 96.0 / 72.0; }

AxisFrame axisFrame(const FigureStyle& style, bool hasTitle) {
    AxisFrame f;
    f.base = basePixels(style);
    f.margin = std::round(f.base * 0.8);
    f.labelGap = std::max(3.0, f.base * 0.4);
    f.titleGap = f.base * 0.3;
    f.titleFont = font(f.base * 1.25, true);
    f.axisFont = font(f.base);
    f.titleHeight = hasTitle ? QFontMetricsF(f.titleFont).height() + f.base * 0.6 : 0.0;
    f.axisTitleHeight = QFontMetricsF(f.axisFont).height() + f.titleGap;
    f.maxPixels = std::round(f.base * 1.1);
    f.minPixels = std::max(5.0, std::round(f.base * 0.65));
    return f;
}

QFont font(double pixels, bool bold) {
    // The family the default font resolves to ("DejaVu Sans", not the alias "Sans Serif"),
    // so SVG files name a font their viewers can find.
    static const QString family = [] {
        const QFont f = QGuiApplication::instance() ? QGuiApplication::font() : QFont();
        return QFontInfo(f).family();
    }();
    QFont f = QGuiApplication::instance() ? QGuiApplication::font() : QFont();
    if (!family.isEmpty()) f.setFamily(family);
    f.setPixelSize(std::max(1, static_cast<int>(std::lround(pixels))));
    f.setBold(bold);
    f.setHintingPreference(QFont::PreferNoHinting);
    f.setKerning(true);
    return f;
}

double widestText(const QStringList& texts, const QFontMetricsF& metrics) {
    double widest = 0.0;
    for (const QString& text : texts) widest = std::max(widest, metrics.horizontalAdvance(text));
    return widest;
}

std::vector<double> niceTicks(double lo, double hi, int maxCount, int* decimals) {
    *decimals = 0;
    if (!(hi > lo) || maxCount < 2) return {lo};
    const double raw = (hi - lo) / std::max(1, maxCount - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / magnitude;
    const double step = (norm <= 1.0 ? 1.0 : norm <= 2.0 ? 2.0 : norm <= 5.0 ? 5.0 : 10.0) * magnitude;
    *decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
    std::vector<double> ticks;
    for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-6; k += 1.0) ticks.push_back(k * step);
    return ticks;
}

QColor textColorOn(const QColor& fill) {
    // Relative luminance (sRGB, linearised); the threshold where black and white contrast equally.
    auto channel = [](double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
    const double l = 0.2126 * channel(fill.redF()) + 0.7152 * channel(fill.greenF()) + 0.0722 * channel(fill.blueF());
    return l > 0.179 ? QColor(Qt::black) : QColor(Qt::white);
}

QColor signedInk(float value) {
    static const ColorMap map = ColorMap::diverging();
    return map.colorAt(value > 0.0f ? 0.9 : 0.1);
}

QColor withAlpha(QColor color, double alpha) {
    color.setAlphaF(static_cast<float>(std::clamp(alpha, 0.0, 1.0)));
    return color;
}

QColor mix(const QColor& a, const QColor& b, double f) {
    f = std::clamp(f, 0.0, 1.0);
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * f),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * f),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * f));
}

void fillBackground(QPainter& painter, const QRectF& area, const FigureStyle& style) {
    painter.fillRect(area, style.background);
}

void drawCenteredText(QPainter& painter, const QRectF& box, const QString& text, const QFont& f) {
    if (text.isEmpty() || box.width() <= 0) return;
    painter.setFont(f);
    const QFontMetricsF metrics(f);
    painter.drawText(box, Qt::AlignCenter, metrics.elidedText(text, Qt::ElideRight, box.width()));
}

void drawPlaceholder(QPainter& painter, const QRectF& area, const FigureStyle& style, const QString& text) {
    painter.setPen(mix(style.foreground, style.background, 0.45));
    painter.setFont(font(basePixels(style)));
    painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, text);
}

QRectF fitInto(QPainter& painter, const QRectF& area, const QSizeF& needed) {
    const double sx = needed.width() > area.width() ? area.width() / needed.width() : 1.0;
    const double sy = needed.height() > area.height() ? area.height() / needed.height() : 1.0;
    const double s = std::min(sx, sy);
    if (s >= 1.0 || !(s > 0.0)) return area;
    // Keep the area's aspect: the logical rectangle is the area divided by s.
    const QSizeF logical(area.width() / s, area.height() / s);
    painter.translate(area.topLeft());
    painter.scale(s, s);
    return QRectF(QPointF(0, 0), logical);
}

void drawAxisTitle(QPainter& painter, const QString& text, const QFont& font, Qt::Orientation orientation, double centre,
                   double across, double lo, double hi) {
    if (text.isEmpty()) return;
    const QFontMetricsF metrics(font);
    const double length = std::min(metrics.horizontalAdvance(text) + 4.0, hi - lo);
    if (orientation == Qt::Horizontal) {
        const double left = std::clamp(centre - length / 2.0, lo, std::max(lo, hi - length));
        drawCenteredText(painter, QRectF(left, across, length, metrics.height()), text, font);
        return;
    }
    const double middle = std::clamp(centre, lo + length / 2.0, std::max(lo + length / 2.0, hi - length / 2.0));
    painter.save();
    painter.translate(across, middle);
    painter.rotate(-90.0);
    drawCenteredText(painter, QRectF(-length / 2.0, -metrics.height() / 2.0, length, metrics.height()), text, font);
    painter.restore();
}

PaintScope::PaintScope(QPainter& painter, const QRectF& area, const FigureStyle& style, bool empty, const QString& placeholder)
    : painter_(painter), empty_(empty) {
    painter.save();
    painter.setClipRect(area, Qt::IntersectClip);
    fillBackground(painter, area, style);
    if (empty) drawPlaceholder(painter, area, style, placeholder);
}

PaintScope::~PaintScope() { painter_.restore(); }

void PaintScope::enterLayout(const QTransform& toArea, bool antialiasLines) {
    painter_.setTransform(toArea, true);
    if (antialiasLines) painter_.setRenderHint(QPainter::Antialiasing, true);
    painter_.setRenderHint(QPainter::TextAntialiasing, true);
}

void drawSelectionOutline(QPainter& painter, const QRectF& box, const FigureStyle& style) {
    const double pen = std::max(1.0, style.lineWidth * 1.5);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(style.background, pen * 2.0));
    painter.drawRect(box);
    painter.setPen(QPen(style.foreground, pen));
    painter.drawRect(box);
}

void paintFigureOrPlaceholder(QPainter& painter, const Figure* figure, const QRectF& area, const FigureStyle& style,
                              const QString& placeholder, const QColor& color) {
    if (!figure) {
        painter.setPen(color);
        painter.setFont(font(basePixels(style)));
        painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, placeholder);
        return;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    figure->paint(painter, area);
}

}  // namespace attnscope::ui::figure
