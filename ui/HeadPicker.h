#pragma once
#include <QWidget>

class QSpinBox;

namespace attnscope::ui {

// Chooses which layer and head to show. Indices are 0-based, as in transformers' outputs.
class HeadPicker : public QWidget {
    Q_OBJECT
public:
    explicit HeadPicker(QWidget* parent = nullptr);

    int layer() const;
    int head() const;
    // Keeps the current choice where it still exists.
    void setShape(int layers, int heads);

public slots:
    void setLayer(int layer);
    void setHead(int head);

signals:
    void selectionChanged(int layer, int head);

private:
    QSpinBox* layer_;
    QSpinBox* head_;
};

}  // namespace attnscope::ui
