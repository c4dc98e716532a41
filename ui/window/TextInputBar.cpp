#include "TextInputBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace attnscope::ui {

TextInputBar::TextInputBar(QWidget* parent) : QWidget(parent) {
    text_ = new QLineEdit(this);
    text_->setObjectName(QStringLiteral("textEdit"));
    text_->setClearButtonEnabled(true);

    pair_ = new QLineEdit(this);
    pair_->setObjectName(QStringLiteral("pairEdit"));
    pair_->setClearButtonEnabled(true);

    compute_ = new QPushButton(tr("Compute"), this);
    compute_->setObjectName(QStringLiteral("computeButton"));
    compute_->setToolTip(tr("Run the model on the text (Enter)"));

    textLabel_ = new QLabel(this);
    textLabel_->setBuddy(text_);
    pairLabel_ = new QLabel(this);
    pairLabel_->setBuddy(pair_);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(textLabel_);
    layout->addWidget(text_, 3);
    layout->addSpacing(8);
    layout->addWidget(pairLabel_);
    layout->addWidget(pair_, 2);
    layout->addWidget(compute_);
    layout_ = layout;

    connect(text_, &QLineEdit::returnPressed, this, &TextInputBar::submit);
    connect(pair_, &QLineEdit::returnPressed, this, &TextInputBar::submit);
    connect(compute_, &QPushButton::clicked, this, &TextInputBar::submit);
    setSecondField(SecondField::Pair);
}

void TextInputBar::setSecondField(SecondField field) {
    secondField_ = field;
    if (field == SecondField::Pair) {
        textLabel_->setText(tr("&Text:"));
        text_->setPlaceholderText(tr("Type a sentence and press Enter"));
        pairLabel_->setText(tr("&Pair:"));
        pair_->setPlaceholderText(tr("Optional second segment"));
        pair_->setToolTip(tr("A second text, encoded as a sentence pair (e.g. [SEP]-separated for BERT)."));
    } else {
        textLabel_->setText(tr("&Source:"));
        text_->setPlaceholderText(tr("The encoder's input, e.g. translate English to German: The house is small."));
        pairLabel_->setText(tr("Tar&get:"));
        pair_->setPlaceholderText(tr("The decoder's text (empty: the start token alone)"));
        pair_->setToolTip(tr("What the decoder reads, one token behind (teacher forcing): the decoder start token, then the target's "
                             "tokens without the last. Empty: the start token alone, as at the first generation step."));
    }
}

QString TextInputBar::text() const { return text_->text(); }

QString TextInputBar::pairText() const { return pair_->text(); }

void TextInputBar::setText(const QString& text) { text_->setText(text); }

void TextInputBar::setPairText(const QString& text) { pair_->setText(text); }

void TextInputBar::submit() { emit submitted(text_->text(), pair_->text()); }

}  // namespace attnscope::ui

namespace attnscope::ui {

void TextInputBar::addTrailingWidget(QWidget* widget) { layout_->addWidget(widget); }

}  // namespace attnscope::ui
