#pragma once
#include <QColor>
#include <QImage>
#include <QString>
#include <QStringList>

#include <array>
#include <initializer_list>

namespace attnscope::ui {

// A perceptual colour scale: maps t in [0, 1] to a colour through a 256-entry lookup
// table built once from a few anchor colours, so per-cell lookups in a heatmap are cheap.
class ColorMap {
public:
    static ColorMap viridis();
    static ColorMap magma();
    static ColorMap cividis();
    static ColorMap grayscale();
    // Blue (negative) through white (zero) to red (positive), for signed values: attributions
    // and differences, on ColorScale::symmetric. Not one of names(): attention is never negative.
    static ColorMap diverging();
    // The maps the app offers, by name() (case-insensitive; "gray"/"grey"/"greyscale" name
    // grayscale); unknown names give viridis.
    static ColorMap byName(const QString& name);
    // The map for a figure's values: byName(name), or for a difference map (signed values)
    // the diverging map whatever the style names.
    static ColorMap forValues(const QString& name, bool difference) { return difference ? diverging() : byName(name); }
    // Whether byName() knows the name (rather than falling back to viridis).
    static bool isKnown(const QString& name);
    static QStringList names();

    const QString& name() const { return name_; }
    // t is clamped to [0, 1]; NaN maps to 0.
    QRgb rgbAt(double t) const;
    QColor colorAt(double t) const { return QColor::fromRgb(rgbAt(t)); }
    // A 1 x 256 strip, low values at the bottom, for colour bars.
    QImage verticalStrip() const;

private:
    ColorMap(QString name, std::initializer_list<QRgb> anchors);

    QString name_;
    std::array<QRgb, 256> table_{};
};

}  // namespace attnscope::ui
