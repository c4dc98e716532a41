#pragma once
#include <QString>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

#include "FigureStyle.h"
#include "HoverTracker.h"
#include "LensFigure.h"

namespace attnscope {
struct LogitLens;
}

namespace attnscope::ui {

// The logit lens view, in the manner of Qt's basicdrawing RenderArea: slots set the lens, the
// selection and the style and rebuild the LensFigure; paintEvent only paints it. A left click
// on a cell emits cellClicked (the owner decides what is selected and calls setSelection);
// hovering a cell outlines it and shows its top tokens with their probabilities.
class LensView : public QWidget {
    Q_OBJECT
public:
    explicit LensView(QWidget* parent = nullptr);
    ~LensView() override;

    // The figure as shown (for export); nullptr while there is no lens.
    const LensFigure* figure() const { return figure_ ? &*figure_ : nullptr; }
    // The lens given to setLens (nullptr after setData or clear).
    const std::shared_ptr<const LogitLens>& lens() const { return lens_; }
    const FigureStyle& style() const { return style_; }
    QString placeholderText() const { return placeholder_; }

    // Where the figure is painted, in widget coordinates.
    QRectF figureArea() const;
    std::optional<LensCellIndex> cellAt(const QPointF& pos) const;
    QRectF cellRect(int layer, int position) const;
    QString toolTipFor(int layer, int position) const;
    std::optional<LensCellIndex> hoveredCell() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void setData(const attnscope::ui::LensFigureData& data);
    // Builds the figure data from a lens: column labels for its positions, token ids as labels.
    // `title` replaces the figure's own (empty: keep it).
    void setLens(std::shared_ptr<const attnscope::LogitLens> lens, const QStringList& positionLabels,
                 const std::function<QString(int id)>& tokenName, const QString& title = {});
    // Back to the placeholder.
    void clear();
    // The outlined cell; -1 for either clears it.
    void setSelection(int layer, int position);
    void setStyle(const attnscope::ui::FigureStyle& style);
    // Shown while there is no lens.
    void setPlaceholderText(const QString& text);

signals:
    void cellClicked(int layer, int position);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    HoverSpot spotAt(const QPointF& pos) const;

    std::shared_ptr<const LogitLens> lens_;
    std::optional<LensFigure> figure_;
    FigureStyle style_;
    QString placeholder_;
    HoverTracker hover_;
    std::optional<LensCellIndex> pressed_;  // a click is a press and a release on the same cell
};

}  // namespace attnscope::ui
