#pragma once
#include <QMenu>

namespace attnscope::ui {

// File ▸ Samples: resources/samples' sentences (grouped under their "# " titles) and shape
// images, each one click from its attention. Empty when the samples are not installed.
class SamplesMenu : public QMenu {
    Q_OBJECT
public:
    explicit SamplesMenu(QWidget* parent = nullptr);

signals:
    void textChosen(const QString& text);
    void imageChosen(const QString& path);

private:
    void addSentences(const QString& file);
    void addImages(const QString& folder);
};

}  // namespace attnscope::ui
