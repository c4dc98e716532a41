#pragma once
#include <QString>
#include <QWidget>

#include <vector>

#include "FigureData.h"

namespace attnscope::ui {

// The language model's most probable tokens for the selected position, each with a bar as
// long as its probability; or a note saying why there are none. Paints only what it is given.
class PredictionsPanel : public QWidget {
    Q_OBJECT
public:
    explicit PredictionsPanel(QWidget* parent = nullptr);

    QString title() const { return title_; }
    const std::vector<ClassPrediction>& entries() const { return entries_; }
    QString note() const { return note_; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void setEntries(const QString& title, const std::vector<ClassPrediction>& entries);
    // Shown instead of entries (an empty note shows nothing).
    void setNote(const QString& note);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int rowHeight() const;
    int titleHeight(int width) const;

    QString title_;
    std::vector<ClassPrediction> entries_;
    QString note_;
};

}  // namespace attnscope::ui
