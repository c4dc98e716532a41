#pragma once
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace attnscope::ui {

// Where the user types the text to analyse and an optional second segment: a sentence pair
// for models trained on pairs, or for an encoder-decoder (T5) the target the decoder reads
// (teacher forcing) after the source. Enter in either field or the button submits.
class TextInputBar : public QWidget {
    Q_OBJECT
public:
    enum class SecondField { Pair, Target };

    explicit TextInputBar(QWidget* parent = nullptr);

    // Labels the fields "Text"/"Pair" or "Source"/"Target".
    void setSecondField(SecondField field);
    SecondField secondField() const { return secondField_; }

    QString text() const;
    QString pairText() const;
    void setText(const QString& text);
    void setPairText(const QString& text);
    // Puts a widget after the Compute button (the Generate and Step buttons); the bar does
    // not own what it shows.
    void addTrailingWidget(QWidget* widget);

signals:
    void submitted(const QString& text, const QString& pair);

public slots:
    void submit();

private:
    QLabel* textLabel_;
    QLabel* pairLabel_;
    QLineEdit* text_;
    QLineEdit* pair_;
    QPushButton* compute_;
    QHBoxLayout* layout_;
    SecondField secondField_ = SecondField::Pair;
};

}  // namespace attnscope::ui
