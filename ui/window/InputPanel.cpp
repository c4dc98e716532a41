#include "InputPanel.h"

#include <QLabel>

#include "ImageInputBar.h"
#include "TextInputBar.h"

namespace attnscope::ui {

InputPanel::InputPanel(QWidget* parent) : QStackedWidget(parent) {
    text_ = new TextInputBar(this);
    connect(text_, &TextInputBar::submitted, this, &InputPanel::compute);
    image_ = new ImageInputBar(this);
    connect(image_, &ImageInputBar::imageChosen, this, &InputPanel::openImage);
    connect(image_, &ImageInputBar::captionSubmitted, this, &InputPanel::compute);
    fileBar_ = new QLabel(this);
    fileBar_->setObjectName(QStringLiteral("attentionFileBar"));
    fileBar_->setWordWrap(true);
    addWidget(text_);
    addWidget(image_);
    addWidget(fileBar_);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void InputPanel::adaptTo(const ModelCapabilities& capabilities) {
    capabilities_ = capabilities;
    modelOpen_ = true;
    setCurrentWidget(readsImages() ? static_cast<QWidget*>(image_) : text_);
    text_->setSecondField(capabilities.hasDecoder() ? TextInputBar::SecondField::Target : TextInputBar::SecondField::Pair);
    image_->setCaptionShown(readsImages() && capabilities.hasDecoder());
    if (!readsImages()) image_->setImagePath({});
}

void InputPanel::showAttentionFile(const QString& fileName, bool image) {
    modelOpen_ = false;
    fileBar_->setText(tr("Showing the attention saved in %1, computed elsewhere. Open a model to give your own input.").arg(fileName));
    setCurrentWidget(fileBar_);
    if (!image) image_->setImagePath({});
}

QString InputPanel::placeholderText() const {
    if (readsImages() && capabilities_.hasDecoder())
        return tr("Open an image above, or drop an image file here, to see its attention; Generate captions it.");
    if (readsImages()) return tr("Open an image above, or drop an image file here, to see its attention.");
    if (modelOpen_ && capabilities_.hasDecoder()) return tr("Type a source (and a target) above and press Enter to see the attention.");
    return tr("Type a text above and press Enter to see its attention.");
}

void InputPanel::compute() {
    if (!modelOpen_) return;
    if (readsImages()) {
        // Recompute the image shown (or the one given on the command line).
        const QString image = !pendingImage_.isEmpty() ? pendingImage_ : image_->imagePath();
        if (image.isEmpty()) emit hint(tr("Open an image first"));
        else openImage(image);
        return;
    }
    AnalysisRequest request;
    request.text = text_->text();
    if (capabilities_.hasDecoder()) {
        if (request.text.trimmed().isEmpty()) return emit hint(tr("Type a source text first"));
        request.target = text_->pairText();
    } else {
        request.pair = text_->pairText();
        if (request.text.trimmed().isEmpty() && request.pair.trimmed().isEmpty()) return emit hint(tr("Type a text first"));
        request.maskedPositions = std::exchange(pendingMasks_, {});
    }
    emit analysisRequested(request);
}

void InputPanel::openImage(const QString& file) {
    const QString path = file;  // a copy: `file` may be pendingImage_ itself, cleared below
    if (!modelOpen_) {
        pendingImage_ = path;  // analysed once an image model opens
        return emit hint(tr("Open a vision model (ViT, DeiT) to analyse the image"));
    }
    if (!readsImages()) {
        return emit refused(tr("This model reads text, not images."),
                            tr("%1 is a text model. Open a vision model folder (ViT, DeiT) to see the attention of an image.")
                                .arg(QString::fromStdString(capabilities_.modelType)));
    }
    pendingImage_.clear();
    AnalysisRequest request;
    request.imageFile = path;
    request.target = image_->caption();  // a captioner's caption so far (empty otherwise)
    emit analysisRequested(request);
}

}  // namespace attnscope::ui
