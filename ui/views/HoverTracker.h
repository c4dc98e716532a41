#pragma once
#include <QRectF>
#include <QString>

#include <functional>

class QEvent;
class QWidget;

namespace attnscope::ui {

// What the pointer is over in a view's figure: a thing named by up to two indices (a cell's
// row and column, a thumbnail's layer and head, a patch and its token, a lens cell's layer
// and position), the widget rectangle it covers and the tooltip it shows. -1, -1: nothing.
struct HoverSpot {
    int first = -1;
    int second = -1;
    QRectF area;      // widget coordinates; empty: the tooltip stays while the pointer is over the widget
    QString toolTip;  // empty: none

    bool isValid() const { return first >= 0 || second >= 0; }
    bool sameThing(const HoverSpot& other) const { return first == other.first && second == other.second; }
};

// Hovering and tooltips, the same for every view: a view says what is under a point
// (spotAt); the tracker keeps the hovered spot as the pointer moves and leaves, tells the view
// when it changes (to repaint its mark or change the cursor), and answers tooltip events with
// the spot's text.
class HoverTracker {
public:
    using SpotAt = std::function<HoverSpot(const QPointF& pos)>;
    using Changed = std::function<void(const HoverSpot& spot)>;
    HoverTracker(QWidget* view, SpotAt spotAt, Changed changed);

    const HoverSpot& hovered() const { return hovered_; }
    // The pointer moved to `pos` (QWidget::mouseMoveEvent).
    void moveTo(const QPointF& pos);
    // The pointer left, or the figure under it changed (QWidget::leaveEvent, a new figure).
    void clear();
    // Shows or hides the tooltip of a QEvent::ToolTip; false for any other event.
    bool handleToolTip(QEvent* event) const;

private:
    void set(const HoverSpot& spot);

    QWidget* view_;
    SpotAt spotAt_;
    Changed changed_;
    HoverSpot hovered_;
};

}  // namespace attnscope::ui
