#include "ImageInputBar.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>

namespace attnscope::ui {

namespace {
const char* const kLastImageFolderKey = "lastImageFolder";
}

ImageInputBar::ImageInputBar(QWidget* parent) : QWidget(parent) {
    open_ = new QPushButton(QIcon::fromTheme(QStringLiteral("document-open")), tr("Open &Image…"), this);
    open_->setObjectName(QStringLiteral("openImageButton"));
    open_->setToolTip(tr("Choose an image file (PNG, JPEG, BMP, WebP) for the vision model"));
    file_ = new QLabel(this);
    file_->setObjectName(QStringLiteral("imageFileLabel"));
    file_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    file_->setMinimumWidth(120);
    file_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long paths elide instead of widening the window

    caption_ = new QLineEdit(this);
    caption_->setObjectName(QStringLiteral("captionEdit"));
    caption_->setClearButtonEnabled(true);
    caption_->setPlaceholderText(tr("The caption so far (empty: Generate writes one)"));
    caption_->setToolTip(tr("What the decoder reads, one token behind (teacher forcing): its start token, then these words. "
                            "Enter shows their attention over the image; Generate continues them."));
    captionLabel_ = new QLabel(tr("&Caption:"), this);
    captionLabel_->setBuddy(caption_);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(open_);
    layout->addSpacing(8);
    layout->addWidget(file_, 1);
    layout->addWidget(captionLabel_);
    layout->addWidget(caption_, 2);
    connect(open_, &QPushButton::clicked, this, &ImageInputBar::chooseImage);
    connect(caption_, &QLineEdit::returnPressed, this, &ImageInputBar::captionSubmitted);
    setCaptionShown(false);
    setImagePath({});
}

void ImageInputBar::setCaptionShown(bool shown) {
    captionLabel_->setVisible(shown);
    caption_->setVisible(shown);
}

QString ImageInputBar::caption() const { return caption_->isVisibleTo(this) ? caption_->text() : QString(); }

void ImageInputBar::setCaption(const QString& text) { caption_->setText(text); }

void ImageInputBar::setImagePath(const QString& path) {
    path_ = path;
    showPath();
}

void ImageInputBar::showPath() {
    if (path_.isEmpty()) {
        file_->setText(tr("No image yet: open one, or drop an image file on the window."));
        file_->setToolTip({});
        file_->setForegroundRole(QPalette::PlaceholderText);
        return;
    }
    // Long paths lose their middle, keeping the folder's start and the file name.
    const QString shown = QDir::toNativeSeparators(path_);
    file_->setText(file_->fontMetrics().elidedText(tr("Image: %1").arg(shown), Qt::ElideMiddle, std::max(120, file_->width())));
    file_->setToolTip(shown);
    file_->setForegroundRole(QPalette::WindowText);
}

void ImageInputBar::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    showPath();
}

QStringList ImageInputBar::imageSuffixes() {
    QStringList suffixes;
    for (const QByteArray& format : QImageReader::supportedImageFormats()) {
        const QString name = QString::fromLatin1(format).toLower();
        if (name == QLatin1String("png") || name == QLatin1String("jpg") || name == QLatin1String("jpeg") || name == QLatin1String("bmp") ||
            name == QLatin1String("webp") || name == QLatin1String("gif") || name == QLatin1String("tif") || name == QLatin1String("tiff") ||
            name == QLatin1String("ppm") || name == QLatin1String("pgm"))
            suffixes << name;
    }
    return suffixes;
}

bool ImageInputBar::isImageFile(const QString& path) {
    const QFileInfo info(path);
    return info.isFile() && imageSuffixes().contains(info.suffix().toLower());
}

void ImageInputBar::chooseImage() {
    QString start = QSettings().value(kLastImageFolderKey).toString();
    if (start.isEmpty()) start = QDir::homePath();
    QStringList patterns;
    for (const QString& suffix : imageSuffixes()) patterns << QStringLiteral("*.") + suffix;
    const QString filter = tr("Images (%1)").arg(patterns.join(QLatin1Char(' '))) + QStringLiteral(";;") + tr("All files (*)");
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Image"), start, filter);
    if (path.isEmpty()) return;
    QSettings().setValue(kLastImageFolderKey, QFileInfo(path).absolutePath());
    emit imageChosen(path);
}

}  // namespace attnscope::ui
