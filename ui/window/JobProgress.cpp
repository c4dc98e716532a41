#include "JobProgress.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace attnscope::ui {

JobProgress::JobProgress(QWidget* parent) : QWidget(parent) {
    label_ = new QLabel(this);
    bar_ = new QProgressBar(this);
    bar_->setObjectName(QStringLiteral("progressBar"));
    bar_->setFixedWidth(180);
    bar_->setTextVisible(false);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName(QStringLiteral("cancelButton"));
    cancel_->setToolTip(tr("Stop the computation (Esc)"));
    connect(cancel_, &QPushButton::clicked, this, &JobProgress::cancelRequested);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label_);
    layout->addWidget(bar_);
    layout->addWidget(cancel_);
    setVisible(false);
}

void JobProgress::setActivity(const QString& description) {
    label_->setText(description);
    setVisible(!description.isEmpty());
}

void JobProgress::setProgress(int done, int total) {
    if (total <= 0) {
        bar_->setRange(0, 0);  // a busy indicator
        return;
    }
    bar_->setRange(0, total);
    bar_->setValue(done);
    bar_->setToolTip(tr("%1 of %2 layers").arg(done).arg(total));
}

}  // namespace attnscope::ui
