#pragma once
#include <QStackedWidget>

#include <optional>
#include <vector>

#include "AnalysisJob.h"
#include "model/ModelCapabilities.h"

class QLabel;

namespace attnscope::ui {

class ImageInputBar;
class TextInputBar;

// Where the input is given, in the shape the open model reads: a text and a second segment
// (a pair, or an encoder-decoder's target), an image (opened, dropped or pending until an
// image model opens), or, while an attention file is shown, a note that there is nothing to
// give. It turns what was typed or chosen into an AnalysisRequest, or says what is missing.
class InputPanel : public QStackedWidget {
    Q_OBJECT
public:
    explicit InputPanel(QWidget* parent = nullptr);

    TextInputBar* textBar() const { return text_; }
    ImageInputBar* imageBar() const { return image_; }
    QLabel* attentionFileBar() const { return fileBar_; }

    // The bar the model needs (no model: the text bar); what the views say while nothing is shown.
    void adaptTo(const ModelCapabilities& capabilities);
    void showAttentionFile(const QString& fileName, bool image);
    QString placeholderText() const;
    bool readsImages() const { return modelOpen_ && capabilities_.readsImages(); }

    // An image to analyse once an image model is open (command line, samples, a session).
    void setPendingImage(const QString& path) { pendingImage_ = path; }
    QString pendingImage() const { return pendingImage_; }
    // Masked token positions the next text analysis starts with (a session's).
    void setPendingMasks(std::vector<int> positions) { pendingMasks_ = std::move(positions); }

public slots:
    // What Compute does: the typed text (or source and target), or the image shown again.
    void compute();
    // Analyses an image file with the open image model; pending without a model.
    void openImage(const QString& path);

signals:
    void analysisRequested(const attnscope::ui::AnalysisRequest& request);
    // Why nothing was requested, for the status bar ("Type a text first").
    void hint(const QString& message);
    // A choice that cannot work (an image for a text model): summary and details for a box.
    void refused(const QString& summary, const QString& details);

private:
    TextInputBar* text_;
    ImageInputBar* image_;
    QLabel* fileBar_;
    ModelCapabilities capabilities_;
    bool modelOpen_ = false;
    QString pendingImage_;
    std::vector<int> pendingMasks_;
};

}  // namespace attnscope::ui
