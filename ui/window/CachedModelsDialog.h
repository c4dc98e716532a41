#pragma once
#include <QDialog>

#include <filesystem>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace attnscope::ui {

// File ▸ Open Model…: the models already on this computer, with their version, id and size:
// the Hugging Face cache (HF_HUB_CACHE and friends, see core/hub/HubCache.h), Ollama's store
// and LM Studio's folders (GGUF files, core/hub/LocalModelStores.h). Open (or a double click)
// emits modelChosen with the reference that opens the selected one (a hub id, ollama:NAME:TAG
// or a file path); "Folder…", "File…" and "Download…" hand over to the folder and file pickers
// and the download dialog. Hugging Face snapshots without a config.json or complete weights
// are listed greyed out, not openable.
class CachedModelsDialog : public QDialog {
    Q_OBJECT
public:
    // Lists the stores the environment names (hub::cacheRoot(), hub::ollamaRoot(),
    // hub::lmStudioRoots()).
    explicit CachedModelsDialog(QWidget* parent = nullptr);

    // Reads the cache again.
    void refresh();
    // The reference of the selected, openable row; empty when there is none.
    QString selectedReference() const;

    QTreeWidget* list() const { return list_; }
    QPushButton* openButton() const { return open_; }
    QPushButton* folderButton() const { return folder_; }
    QPushButton* fileButton() const { return file_; }
    QPushButton* downloadButton() const { return download_; }

signals:
    void modelChosen(const QString& reference);
    void folderRequested();
    void fileRequested();
    void downloadRequested();

private:
    void openSelected();
    int listHubCache();
    int listGgufStores();

    std::filesystem::path root_;
    QLabel* note_;
    QTreeWidget* list_;
    QPushButton* open_;
    QPushButton* folder_;
    QPushButton* file_;
    QPushButton* download_;
};

}  // namespace attnscope::ui
