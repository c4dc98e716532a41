#include "DownloadDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

#include "HubEnvironment.h"
#include "ModelDownload.h"
#include "hub/HubId.h"

namespace attnscope::ui {

namespace {

QString megabytes(qint64 bytes) { return QString::number(static_cast<double>(bytes) / 1e6, 'f', 1) + QStringLiteral(" MB"); }

}  // namespace

DownloadDialog::DownloadDialog(QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("downloadDialog"));
    setWindowTitle(tr("Download Model"));
    id_ = new QLineEdit(this);
    id_->setPlaceholderText(tr("org/name, e.g. google-bert/bert-base-uncased"));
    revision_ = new QLineEdit(this);
    revision_->setPlaceholderText(tr("main"));
    auto* form = new QFormLayout;
    form->addRow(tr("&Model id:"), id_);
    form->addRow(tr("&Revision:"), revision_);

    bar_ = new QProgressBar(this);
    bar_->setRange(0, 1000);
    bar_->setValue(0);
    bar_->setTextVisible(false);
    status_ = new QLabel(tr("Fetches the config, tokenizer and weights into the Hugging Face cache."), this);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(this);
    download_ = buttons->addButton(tr("&Download"), QDialogButtonBox::AcceptRole);
    download_->setDefault(true);
    cancel_ = buttons->addButton(QDialogButtonBox::Cancel);
    connect(download_, &QPushButton::clicked, this, &DownloadDialog::startDownload);
    connect(cancel_, &QPushButton::clicked, this, &DownloadDialog::cancelDownload);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(bar_);
    layout->addWidget(status_);
    layout->addWidget(buttons);
    setMinimumWidth(480);
}

DownloadDialog::~DownloadDialog() = default;

void DownloadDialog::setModelId(const QString& id) { id_->setText(id); }

bool DownloadDialog::isDownloading() const { return job_ && job_->isRunning(); }

void DownloadDialog::showStatus(const QString& text, bool problem) {
    status_->setText(text);
    status_->setProperty("problem", problem);
    status_->setStyleSheet(problem ? QStringLiteral("color: #b00020;") : QString());
}

void DownloadDialog::setRunning(bool running) {
    id_->setEnabled(!running);
    revision_->setEnabled(!running);
    download_->setEnabled(!running);
}

void DownloadDialog::startDownload() {
    if (isDownloading()) return;
    const QString typed = id_->text().trimmed();
    const QString revision = revision_->text().trimmed();
    auto id = hub::parseHubId(typed.toStdString());
    if (!id) return showStatus(tr("'%1' is not a Hugging Face model id: type org/name.").arg(typed), true);
    if (!revision.isEmpty()) {
        if (typed.contains(QLatin1Char('@')))
            return showStatus(tr("Give the revision after @ or in the Revision field, not both."), true);
        if (!hub::isValidRevision(revision.toStdString()))
            return showStatus(tr("'%1' is not a revision name.").arg(revision), true);
        id->revision = revision.toStdString();
    }
    const hub::HubEnvironment environment = hub::HubEnvironment::fromProcess();
    job_ = std::make_unique<hub::ModelDownload>(*id, environment);
    connect(job_.get(), &hub::ModelDownload::progress, this, &DownloadDialog::showProgress);
    connect(job_.get(), &hub::ModelDownload::failed, this, [this](const QString& message) {
        setRunning(false);
        bar_->setRange(0, 1000);
        showStatus(message, true);
    });
    connect(job_.get(), &hub::ModelDownload::cancelled, this, [this] {
        setRunning(false);
        bar_->setRange(0, 1000);
        showStatus(tr("Cancelled. Downloading again continues where this stopped."), false);
    });
    connect(job_.get(), &hub::ModelDownload::succeeded, this, [this, reference = QString::fromStdString(id->reference())] {
        setRunning(false);
        bar_->setValue(bar_->maximum());
        showStatus(tr("Downloaded %1.").arg(reference), false);
        emit modelDownloaded(reference);
        accept();
    });
    setRunning(true);
    bar_->setRange(0, 0);  // busy until the first sizes arrive
    showStatus(tr("Asking %1 about %2…").arg(environment.endpointText(), QString::fromStdString(id->reference())), false);
    job_->start();
}

void DownloadDialog::showProgress(qint64 done, qint64 total, const QString& file) {
    if (total > 0) {
        bar_->setRange(0, 1000);
        bar_->setValue(static_cast<int>(std::min<qint64>(1000, done * 1000 / total)));
        showStatus(tr("Downloading %1 — %2 of %3").arg(file, megabytes(done), megabytes(total)), false);
    } else {
        bar_->setRange(0, 0);
        showStatus(tr("Downloading %1 — %2").arg(file, megabytes(done)), false);
    }
}

void DownloadDialog::cancelDownload() {
    if (isDownloading()) job_->cancel();
    else QDialog::reject();
}

void DownloadDialog::reject() {
    // Escape or closing the window: stop the transfer too, keeping what arrived.
    if (isDownloading()) job_->cancel();
    QDialog::reject();
}

}  // namespace attnscope::ui
