#pragma once
#include <QWidget>

#include <vector>

class QCheckBox;
class QGridLayout;

namespace attnscope::ui {

class AttentionSelection;

// One check box per head, in the colour the head view draws that head with, plus All and
// None: which heads the head view draws. Bound both ways to the selection's enabled heads.
class HeadToggles : public QWidget {
    Q_OBJECT
public:
    explicit HeadToggles(AttentionSelection* selection, QWidget* parent = nullptr);

    // The check box of `head`, nullptr when the model has no such head.
    QCheckBox* toggle(int head) const;
    int count() const { return static_cast<int>(boxes_.size()); }

private:
    void syncFromSelection();
    void rebuildBoxes(int heads);

    AttentionSelection* selection_;
    QGridLayout* boxLayout_;  // wraps after kPerRow boxes, so 32 heads never widen the window
    std::vector<QCheckBox*> boxes_;
};

}  // namespace attnscope::ui
