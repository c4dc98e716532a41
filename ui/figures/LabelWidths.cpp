#include "LabelWidths.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

#include "FigurePainting.h"

namespace attnscope::ui::figure {

LabelWidths::LabelWidths(QStringList labels) : labels_(std::move(labels)) {}

const std::vector<double>& LabelWidths::at(double pixels, bool bold) const {
    const int px = std::max(1, static_cast<int>(std::lround(pixels)));
    const int key = px * 2 + (bold ? 1 : 0);
    std::lock_guard<std::mutex> lock(cache_->mutex);
    auto& slot = cache_->widths[key];
    if (!slot) {
        // Pointers stay valid as the map grows, so callers may keep the reference.
        auto widths = std::make_unique<std::vector<double>>();
        const QFontMetricsF metrics(font(px, bold));
        widths->reserve(static_cast<std::size_t>(labels_.size()));
        for (const QString& label : labels_) widths->push_back(metrics.horizontalAdvance(label));
        slot = std::move(widths);
    }
    return *slot;
}

double LabelWidths::widest(double pixels, int first, int count, bool bold) const {
    const auto& widths = at(pixels, bold);
    const int end = count < 0 ? size() : std::min(size(), first + count);
    double w = 0.0;
    for (int i = std::max(0, first); i < end; ++i) w = std::max(w, widths[static_cast<std::size_t>(i)]);
    return w;
}

}  // namespace attnscope::ui::figure
