#pragma once
#include <QDialog>

#include <filesystem>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace attnscope::ui {

// File ▸ Open Model…: the models in the Hugging Face cache (HF_HUB_CACHE and friends, see
// core/hub/HubCache.h) with their revision, commit and size. Open (or a double click) emits
// modelChosen with the reference that opens the selected snapshot; "Folder…" and
// "Download…" hand over to the folder picker and the download dialog. Snapshots without a
// config.json or complete weights are listed greyed out, not openable.
class CachedModelsDialog : public QDialog {
    Q_OBJECT
public:
    // Lists the cache root the environment names (hub::cacheRoot()).
    explicit CachedModelsDialog(QWidget* parent = nullptr);

    // Reads the cache again.
    void refresh();
    // The reference of the selected, openable row; empty when there is none.
    QString selectedReference() const;

    QTreeWidget* list() const { return list_; }
    QPushButton* openButton() const { return open_; }
    QPushButton* folderButton() const { return folder_; }
    QPushButton* downloadButton() const { return download_; }

signals:
    void modelChosen(const QString& reference);
    void folderRequested();
    void downloadRequested();

private:
    void openSelected();

    std::filesystem::path root_;
    QLabel* note_;
    QTreeWidget* list_;
    QPushButton* open_;
    QPushButton* folder_;
    QPushButton* download_;
};

}  // namespace attnscope::ui
