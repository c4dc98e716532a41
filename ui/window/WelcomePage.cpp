#include "WelcomePage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QDir>
#include <QFileInfo>
#include <QPushButton>
#include <QVBoxLayout>

namespace attnscope::ui {

WelcomePage::WelcomePage(QWidget* parent) : QWidget(parent) {
    auto* title = new QLabel(tr("Open a model folder to begin"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    title->setFont(titleFont);
    title->setAlignment(Qt::AlignCenter);

    auto* explanation = new QLabel(
        tr("A Hugging Face model folder holds config.json, the weights (model.safetensors or pytorch_model.bin) "
           "and a tokenizer. AttnScope runs the model on your text and shows, for every layer and head, "
           "how much each token attends to every other."),
        this);
    explanation->setWordWrap(true);
    explanation->setAlignment(Qt::AlignCenter);
    explanation->setFixedWidth(520);
    explanation->setForegroundRole(QPalette::PlaceholderText);

    auto* open = new QPushButton(tr("Open Model Folder…"), this);
    open->setObjectName(QStringLiteral("welcomeOpenButton"));
    open->setDefault(true);
    open->setMinimumHeight(open->sizeHint().height() + 8);
    connect(open, &QPushButton::clicked, this, &WelcomePage::openRequested);

    auto* hint = new QLabel(tr("or drop a folder onto this window"), this);
    hint->setAlignment(Qt::AlignCenter);
    hint->setForegroundRole(QPalette::PlaceholderText);

    auto* layout = new QVBoxLayout(this);
    layout->addStretch(2);
    layout->addWidget(title, 0, Qt::AlignHCenter);
    layout->addSpacing(12);
    // Centred by stretches, not an alignment flag: an aligned item would not get the
    // height its wrapped text needs.
    auto* centred = new QHBoxLayout;
    centred->addStretch();
    centred->addWidget(explanation);
    centred->addStretch();
    layout->addLayout(centred);
    layout->addSpacing(20);
    layout->addWidget(open, 0, Qt::AlignHCenter);
    layout->addSpacing(6);
    layout->addWidget(hint, 0, Qt::AlignHCenter);

    recentTitle_ = new QLabel(tr("Recent models"), this);
    QFont recentFont = recentTitle_->font();
    recentFont.setBold(true);
    recentTitle_->setFont(recentFont);
    recentList_ = new QVBoxLayout;
    recentList_->setSpacing(2);
    layout->addSpacing(28);
    layout->addWidget(recentTitle_, 0, Qt::AlignHCenter);
    layout->addLayout(recentList_);
    layout->addStretch(3);
    setRecentFolders({});
}

void WelcomePage::setRecentFolders(const QStringList& folders) {
    constexpr int kShown = 5;
    while (QLayoutItem* item = recentList_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const QString& folder : folders.mid(0, kShown)) {
        // Flat, link-like buttons: the folder's name and where it is (model folders are
        // often all called "model"), with the full path as the tooltip.
        const QFileInfo info(folder);
        auto* entry = new QPushButton(tr("%1  —  %2").arg(info.fileName(), QDir::toNativeSeparators(info.absolutePath())), this);
        entry->setObjectName(QStringLiteral("recentEntry"));
        entry->setFlat(true);
        entry->setCursor(Qt::PointingHandCursor);
        entry->setToolTip(folder);
        entry->setEnabled(QFileInfo(folder).isDir());
        connect(entry, &QPushButton::clicked, this, [this, folder] { emit recentRequested(folder); });
        recentList_->addWidget(entry, 0, Qt::AlignHCenter);
    }
    recentTitle_->setVisible(!folders.isEmpty());
}

}  // namespace attnscope::ui
