#pragma once
#include <QString>
#include <QWidget>

#include <optional>

#include "AttributionFigure.h"
#include "FigureStyle.h"
#include "HoverTracker.h"

namespace attnscope::ui {

// The attribution grid view, in the manner of Qt's basicdrawing RenderArea: slots set the data,
// the selected head and the style and rebuild the AttributionFigure; paintEvent only paints it.
// Hovering a cell shows its share; a click on a head emits headClicked (the owner selects it).
class AttributionView : public QWidget {
    Q_OBJECT
public:
    explicit AttributionView(QWidget* parent = nullptr);
    ~AttributionView() override;

    const AttributionFigure* figure() const { return figure_ ? &*figure_ : nullptr; }
    const FigureStyle& style() const { return style_; }
    QString placeholderText() const { return placeholder_; }
    QRectF figureArea() const;
    std::optional<AttributionCell> cellAt(const QPointF& pos) const;
    QRectF cellRect(const AttributionCell& cell) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void setData(const attnscope::ui::AttributionFigureData& data);
    void clear();
    // The outlined head; -1 for either clears it.
    void setSelectedHead(int layer, int head);
    void setStyle(const attnscope::ui::FigureStyle& style);
    void setPlaceholderText(const QString& text);

signals:
    // `cross`: one of an encoder-decoder's cross-attention heads.
    void headClicked(int layer, int head, bool cross);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    HoverSpot spotAt(const QPointF& pos) const;
    void rebuild(AttributionFigureData data);

    std::optional<AttributionFigure> figure_;
    FigureStyle style_;
    QString placeholder_;
    HoverTracker hover_;
    std::optional<AttributionCell> pressed_;
};

}  // namespace attnscope::ui
