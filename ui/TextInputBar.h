#pragma once
#include <QWidget>

class QLineEdit;
class QPushButton;

namespace attnscope::ui {

// Where the user types the text to analyse and an optional second segment (a sentence
// pair, for models trained on pairs). Enter in either field or the button submits.
class TextInputBar : public QWidget {
    Q_OBJECT
public:
    explicit TextInputBar(QWidget* parent = nullptr);

    QString text() const;
    QString pairText() const;
    void setText(const QString& text);
    void setPairText(const QString& text);

signals:
    void submitted(const QString& text, const QString& pair);

public slots:
    void submit();

private:
    QLineEdit* text_;
    QLineEdit* pair_;
    QPushButton* compute_;
};

}  // namespace attnscope::ui
