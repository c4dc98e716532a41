#pragma once
#include <optional>
#include <vector>

#include "FigureView.h"
#include "TokenStripFigure.h"

namespace attnscope::ui {

// The token strip: the text as tokens, each shaded by the attention it receives from the
// selected query (outlined). Clicking a token makes it the query; double-clicking it also
// says so (tokenActivated), which a masked language model's window takes as "mask it".
class TokenStripView : public FigureView {
    Q_OBJECT
public:
    explicit TokenStripView(AttentionSelection* selection, QWidget* parent = nullptr);

    const TokenStripFigure* stripFigure();
    // Index into the figure's labels, -1 off the tokens.
    int chipAt(const QPointF& pos) const;
    // The token (index into the full token list) a figure label shows.
    int tokenOfChip(int chip) const;
    // Whether clicking a chip selects it as the query: not in cross-attention, whose chips
    // are source tokens and whose queries are target tokens.
    bool chipsAreQueries() const { return chipsAreQueries_; }

    QSize sizeHint() const override;

signals:
    void tokenActivated(int token);

protected:
    void buildFigure(const FigureSource& source, const ViewRequest& request) override;
    void clearFigure() override;
    const Figure* currentFigure() const override;
    double maxMagnification() const override { return 1.6; }
    bool alignsTop() const override { return true; }

    HoverSpot spotAt(const QPointF& pos) const override;
    void hoverChanged(const HoverSpot& spot) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    std::optional<TokenStripFigure> figure_;
    std::vector<int> chipTokens_;
    bool chipsAreQueries_ = true;
};

}  // namespace attnscope::ui
