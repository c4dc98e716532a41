#pragma once
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

#include "Figure.h"
#include "FigureStyle.h"
#include "analysis/AttentionQuery.h"
#include "model/HeadCapture.h"

namespace attnscope::ui {

// The steps the inside of a head is shown in, one more column each (classroom: Space advances).
enum class InsideStep { Vectors = 0, DotProducts, Scaling, Softmax, Selection, Output };
inline constexpr int kInsideSteps = 6;

// Everything InsideHeadFigure draws, as plain data: one head's numbers at one query
// (model/HeadCapture.h), the tokens they belong to, the hard rule's choice and the step shown.
struct InsideHeadFigureData {
    QString title;
    QStringList keyLabels;  // one per key
    QString queryLabel;
    HeadCapture capture;
    std::vector<bool> kept;  // the hard rule's keys (the app's hard view keeps their weights)
    QString ruleName;        // "top-1", "≥ 0.10", "90% of the mass"
    InsideStep step = InsideStep::Output;
};

// The figure data of a capture: `tokens` label the keys (and the query); the hard rule
// `selection` picks the kept keys, as the app's hard view does.
InsideHeadFigureData insideHeadFigureData(const HeadCapture& capture, const QStringList& tokens, const HardSelection& selection,
                                          InsideStep step);

// What one step does, in a sentence with the real numbers ("Each dot product is multiplied by
// 1/√8 = 0.354"), for the figure and the classroom caption.
QString insideStepText(const InsideHeadFigureData& data);

// Inside one head, as a table read left to right: one row per key (its token, its key vector's
// first numbers over a colour strip of all of them), then column by column as the steps come —
// q·k, the scaling (and cap, and position term, where the family has them), the softmax as a
// bar with its percentage, the hard rule's keys, and each value vector with the weighted sum
// under it: the head's output. The query vector heads the key column. Masked keys (a causal
// model's future, outside a sliding window) are greyed and say so.
class InsideHeadFigure : public Figure {
public:
    InsideHeadFigure(InsideHeadFigureData data, FigureStyle style);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;
    const InsideHeadFigureData& data() const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;
};

}  // namespace attnscope::ui
