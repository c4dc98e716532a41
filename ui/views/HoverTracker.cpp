#include "HoverTracker.h"

#include <QHelpEvent>
#include <QToolTip>
#include <QWidget>

namespace attnscope::ui {

HoverTracker::HoverTracker(QWidget* view, SpotAt spotAt, Changed changed)
    : view_(view), spotAt_(std::move(spotAt)), changed_(std::move(changed)) {
    view->setMouseTracking(true);
}

void HoverTracker::moveTo(const QPointF& pos) { set(spotAt_(pos)); }

void HoverTracker::clear() { set({}); }

void HoverTracker::set(const HoverSpot& spot) {
    if (spot.sameThing(hovered_)) return;
    hovered_ = spot;
    if (changed_) changed_(hovered_);
    view_->update();
}

bool HoverTracker::handleToolTip(QEvent* event) const {
    if (event->type() != QEvent::ToolTip) return false;
    auto* help = static_cast<QHelpEvent*>(event);
    const HoverSpot spot = spotAt_(help->pos());
    if (spot.isValid() && !spot.toolTip.isEmpty()) {
        QToolTip::showText(help->globalPos(), spot.toolTip, view_, spot.area.toAlignedRect());
    } else {
        QToolTip::hideText();
        event->ignore();
    }
    return true;
}

}  // namespace attnscope::ui
