#pragma once
#include <QString>
#include <QWidget>

#include <memory>

#include "FigureBuilder.h"
#include "HoverTracker.h"

namespace attnscope::ui {

struct Analysis;
class AttentionSelection;
class Figure;

// A widget that shows one Figure built from the current analysis and the shared selection,
// in the manner of Qt's basicdrawing RenderArea: slots set the inputs and rebuild the
// figure, paintEvent only paints it. A hidden view (another tab) rebuilds when it is shown
// or when figure() is asked for, so a selection change costs only the visible view's work.
class FigureView : public QWidget {
    Q_OBJECT
public:
    FigureView(ViewKind kind, AttentionSelection* selection, QWidget* parent = nullptr);
    ~FigureView() override;

    ViewKind kind() const { return kind_; }
    AttentionSelection* selection() const { return selection_; }
    const std::shared_ptr<const Analysis>& analysis() const { return analysis_; }
    // The input a difference map compares with (null: none); see AttentionQuery::compare.
    const std::shared_ptr<const Analysis>& otherInput() const { return otherInput_; }
    // The figure for the current analysis and selection (nullptr when there is nothing to
    // show); brings a hidden view up to date first.
    const Figure* figure();
    // Why there is no figure: the placeholder, or the engine's message for a bad selection.
    QString emptyText() const { return problem_.isEmpty() ? placeholder_ : problem_; }
    // Where the figure is painted, in widget coordinates: the whole widget less a margin,
    // or for a top-aligned view only as tall as the (magnified) figure needs.
    QRectF figureArea() const;
    // A figure whose natural size is much smaller than the widget (a short text's head view
    // or token strip) is painted magnified, up to maxMagnification(), so it reads at a glance.
    double magnification() const;
    // The figure's coordinates (what Figure::paint and hitTest see) to and from the widget's.
    QRectF figureRect() const;
    QPointF toFigure(const QPointF& widgetPos) const;
    QRectF fromFigure(const QRectF& figureBox) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    // What the pointer is over (nothing while it is outside the figure).
    const HoverSpot& hovered() const { return hover_.hovered(); }

public slots:
    void setAnalysis(std::shared_ptr<const attnscope::ui::Analysis> analysis);
    void setOtherInput(std::shared_ptr<const attnscope::ui::Analysis> other);
    void setPlaceholderText(const QString& text);

signals:
    // After every rebuild, so tests and the window can follow what the view shows.
    void figureChanged();
    // After each paint that drew a figure (not the placeholder): the picture is on screen.
    void figurePainted();

protected:
    // Builds the subclass's figure from analysis() and the request; may throw attnscope::Error.
    virtual void buildFigure(const FigureSource& source, const ViewRequest& request) = 0;
    virtual void clearFigure() = 0;
    virtual const Figure* currentFigure() const = 0;
    // Painted over the figure, in widget coordinates: hover marks and the like.
    virtual void paintOverlay(QPainter&) const {}
    // 1: always painted at the area's own scale (figures that fill any area themselves).
    virtual double maxMagnification() const { return 1.0; }
    // True for figures that stop growing at a comfortable size (the head view's rows, the
    // token strip's chips): they sit at the top like a page instead of floating mid-widget.
    virtual bool alignsTop() const { return false; }

    // What is under `pos` (widget coordinates), for the hover mark and the tooltip; nothing by default.
    virtual HoverSpot spotAt(const QPointF&) const { return {}; }
    // The hovered spot changed (the view repaints on its own): a cursor to change, a signal to send.
    virtual void hoverChanged(const HoverSpot&) {}
    // Moves the hover to what is under `pos` now (after a zoom moved the figure under the pointer).
    void rehover(const QPointF& pos) { hover_.moveTo(pos); }

    // Rebuilds now if the view is visible, else on show.
    void refresh();
    // Repaint-only change of the figure (e.g. a hover preview) made by a subclass.
    void figureReplaced();

    void showEvent(QShowEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    // The hover and the tooltip, the same for every view (HoverTracker).
    bool event(QEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void rebuild();

    ViewKind kind_;
    AttentionSelection* selection_;
    std::shared_ptr<const Analysis> analysis_;
    std::shared_ptr<const Analysis> otherInput_;
    QString placeholder_;
    QString problem_;
    bool stale_ = true;
    HoverTracker hover_;
};

}  // namespace attnscope::ui
