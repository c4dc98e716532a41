#pragma once
#include <QList>
#include <QStringList>
#include <QWidget>

#include <vector>

class QButtonGroup;
class QHBoxLayout;
class QLabel;
class QSlider;
class QToolButton;

namespace attnscope::ui {

struct Analysis;
class AttentionSelection;

// The bar above the image overlay: the query ([CLS], DeiT's [DIST], or the patch clicked in
// the image) and the opacity of the attention colours over the image, 0–100 %. It edits the
// shared selection and mirrors it, so a click in any view shows here too.
class ImageOverlayControls : public QWidget {
    Q_OBJECT
public:
    explicit ImageOverlayControls(AttentionSelection* selection, QWidget* parent = nullptr);

    // The analysed image's leading non-patch tokens ([CLS], and [DIST] for DeiT), tokens 0, 1,
    // …, each offered as a query button; every token's label names a patch query. Null, or an
    // input that is no image: none.
    void setAnalysis(const Analysis* analysis);

    QSlider* opacitySlider() const { return opacity_; }
    QToolButton* queryButton(int token) const;

private:
    void syncFromSelection();
    void setTokens(const QStringList& specialLabels, const QStringList& allLabels);

    AttentionSelection* selection_;
    QHBoxLayout* buttonRow_ = nullptr;
    QButtonGroup* buttons_ = nullptr;
    QList<QToolButton*> buttonList_;
    QStringList labels_;
    std::vector<QStringList> stackQueryLabels_;  // per stack: its queries' labels where they are not the image's (a caption)
    QLabel* queryNote_ = nullptr;
    QSlider* opacity_ = nullptr;
    QLabel* opacityValue_ = nullptr;
};

}  // namespace attnscope::ui
