#pragma once
#include <QDialog>

#include <memory>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace attnscope::hub {
class ModelDownload;
}

namespace attnscope::ui {

// File ▸ Download Model…: a hub id and an optional revision, a progress bar, and Cancel. The
// download runs on Qt Network's asynchronous requests (ui/hub/ModelDownload.h), so the window
// stays responsive; errors show in the dialog. Cancel stops a running download and keeps its
// partial file, so downloading again resumes it; with nothing running it closes the dialog.
// On success the dialog emits modelDownloaded with the reference that opens the model
// ("org/name", or "org/name@revision") and closes.
class DownloadDialog : public QDialog {
    Q_OBJECT
public:
    explicit DownloadDialog(QWidget* parent = nullptr);
    ~DownloadDialog() override;

    void setModelId(const QString& id);
    bool isDownloading() const;

    QLineEdit* idField() const { return id_; }
    QLineEdit* revisionField() const { return revision_; }
    QProgressBar* progressBar() const { return bar_; }
    QLabel* statusLabel() const { return status_; }
    QPushButton* downloadButton() const { return download_; }
    QPushButton* cancelButton() const { return cancel_; }

public slots:
    // Reads the environment (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, the cache) at each start.
    void startDownload();
    void cancelDownload();
    void reject() override;

signals:
    void modelDownloaded(const QString& reference);

private:
    void showProgress(qint64 done, qint64 total, const QString& file);
    void setRunning(bool running);
    void showStatus(const QString& text, bool problem);

    QLineEdit* id_;
    QLineEdit* revision_;
    QProgressBar* bar_;
    QLabel* status_;
    QPushButton* download_;
    QPushButton* cancel_;
    std::unique_ptr<hub::ModelDownload> job_;
};

}  // namespace attnscope::ui
