#pragma once
#include <QString>
#include <QWidget>

#include <optional>

#include "FigureStyle.h"
#include "InsideHeadFigure.h"

namespace attnscope::ui {

// The inside of one head, in the manner of Qt's basicdrawing RenderArea: slots set the data,
// the step and the style and rebuild the InsideHeadFigure; paintEvent only paints it.
class InsideHeadView : public QWidget {
    Q_OBJECT
public:
    explicit InsideHeadView(QWidget* parent = nullptr);
    ~InsideHeadView() override;

    const InsideHeadFigure* figure() const { return figure_ ? &*figure_ : nullptr; }
    QString placeholderText() const { return placeholder_; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void setData(const attnscope::ui::InsideHeadFigureData& data);
    void setStep(attnscope::ui::InsideStep step);
    void clear();
    void setStyle(const attnscope::ui::FigureStyle& style);
    void setPlaceholderText(const QString& text);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QRectF figureArea() const;

    std::optional<InsideHeadFigure> figure_;
    FigureStyle style_;
    QString placeholder_;
};

}  // namespace attnscope::ui
