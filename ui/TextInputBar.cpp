#include "TextInputBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace attnscope::ui {

TextInputBar::TextInputBar(QWidget* parent) : QWidget(parent) {
    text_ = new QLineEdit(this);
    text_->setObjectName(QStringLiteral("textEdit"));
    text_->setPlaceholderText(tr("Type a sentence and press Enter"));
    text_->setClearButtonEnabled(true);

    pair_ = new QLineEdit(this);
    pair_->setObjectName(QStringLiteral("pairEdit"));
    pair_->setPlaceholderText(tr("Optional second segment"));
    pair_->setToolTip(tr("A second text, encoded as a sentence pair (e.g. [SEP]-separated for BERT)."));
    pair_->setClearButtonEnabled(true);

    compute_ = new QPushButton(tr("Compute"), this);
    compute_->setObjectName(QStringLiteral("computeButton"));
    compute_->setToolTip(tr("Run the model on the text (Enter)"));

    auto* textLabel = new QLabel(tr("&Text:"), this);
    textLabel->setBuddy(text_);
    auto* pairLabel = new QLabel(tr("&Pair:"), this);
    pairLabel->setBuddy(pair_);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(textLabel);
    layout->addWidget(text_, 3);
    layout->addSpacing(8);
    layout->addWidget(pairLabel);
    layout->addWidget(pair_, 2);
    layout->addWidget(compute_);

    connect(text_, &QLineEdit::returnPressed, this, &TextInputBar::submit);
    connect(pair_, &QLineEdit::returnPressed, this, &TextInputBar::submit);
    connect(compute_, &QPushButton::clicked, this, &TextInputBar::submit);
}

QString TextInputBar::text() const { return text_->text(); }

QString TextInputBar::pairText() const { return pair_->text(); }

void TextInputBar::setText(const QString& text) { text_->setText(text); }

void TextInputBar::setPairText(const QString& text) { pair_->setText(text); }

void TextInputBar::submit() { emit submitted(text_->text(), pair_->text()); }

}  // namespace attnscope::ui
