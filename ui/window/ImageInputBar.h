#pragma once
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

namespace attnscope::ui {

// The input bar for a vision model, in place of the text fields: "Open Image…", the image
// shown now, and a reminder that an image file can be dropped on the window. A captioner's bar
// adds the caption its decoder reads (typed, or continued by Generate).
class ImageInputBar : public QWidget {
    Q_OBJECT
public:
    explicit ImageInputBar(QWidget* parent = nullptr);

    // The file the current analysis came from (empty: none yet).
    void setImagePath(const QString& path);
    QString imagePath() const { return path_; }
    // Shows the caption field (a model whose decoder reads one); hidden, it reads as empty.
    void setCaptionShown(bool shown);
    QString caption() const;
    void setCaption(const QString& text);

    // The file types QImageReader can decode here, for the open dialog and drops:
    // "png", "jpg", "jpeg", "bmp", "webp" where the plugin is installed, …
    static QStringList imageSuffixes();
    static bool isImageFile(const QString& path);

public slots:
    // Asks for an image file and emits imageChosen.
    void chooseImage();

signals:
    void imageChosen(const QString& path);
    // Enter in the caption field: analyse the image with this caption.
    void captionSubmitted();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void showPath();

    QPushButton* open_;
    QLabel* file_;
    QLabel* captionLabel_;
    QLineEdit* caption_;
    QString path_;
};

}  // namespace attnscope::ui
