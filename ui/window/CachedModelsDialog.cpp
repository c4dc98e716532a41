#include "CachedModelsDialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "hub/HubCache.h"
#include "hub/LocalModelStores.h"

namespace attnscope::ui {

namespace {

enum Column { ModelColumn, RevisionColumn, CommitColumn, SizeColumn, SourceColumn };
constexpr int kReferenceRole = Qt::UserRole;

QString text(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

CachedModelsDialog::CachedModelsDialog(QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("cachedModelsDialog"));
    setWindowTitle(tr("Open Model"));
    note_ = new QLabel(this);
    note_->setWordWrap(true);
    note_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    list_ = new QTreeWidget(this);
    list_->setHeaderLabels({tr("Model"), tr("Version"), tr("Id"), tr("Size"), tr("From")});
    list_->setRootIsDecorated(false);
    list_->setAllColumnsShowFocus(true);
    list_->setSelectionMode(QAbstractItemView::SingleSelection);
    list_->header()->setSectionResizeMode(ModelColumn, QHeaderView::Stretch);
    list_->header()->setStretchLastSection(false);
    connect(list_, &QTreeWidget::itemSelectionChanged, this,
            [this] { open_->setEnabled(!selectedReference().isEmpty()); });
    connect(list_, &QTreeWidget::itemActivated, this, [this] { openSelected(); });

    auto* buttons = new QDialogButtonBox(this);
    open_ = buttons->addButton(tr("&Open"), QDialogButtonBox::AcceptRole);
    open_->setDefault(true);
    folder_ = buttons->addButton(tr("&Folder…"), QDialogButtonBox::ActionRole);
    folder_->setToolTip(tr("Open a model folder from disk instead"));
    file_ = buttons->addButton(tr("F&ile…"), QDialogButtonBox::ActionRole);
    file_->setToolTip(tr("Open a GGUF model file from disk instead"));
    download_ = buttons->addButton(tr("&Download…"), QDialogButtonBox::ActionRole);
    download_->setToolTip(tr("Download a model from the Hugging Face hub into the cache"));
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(open_, &QPushButton::clicked, this, &CachedModelsDialog::openSelected);
    connect(folder_, &QPushButton::clicked, this, [this] {
        accept();
        emit folderRequested();
    });
    connect(file_, &QPushButton::clicked, this, [this] {
        accept();
        emit fileRequested();
    });
    connect(download_, &QPushButton::clicked, this, [this] {
        accept();
        emit downloadRequested();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(note_);
    layout->addWidget(list_);
    layout->addWidget(buttons);
    resize(720, 400);
    refresh();
}

void CachedModelsDialog::refresh() {
    list_->clear();
    const int hubModels = listHubCache();
    const int ggufModels = listGgufStores();
    for (int c = RevisionColumn; c <= SourceColumn; ++c) list_->resizeColumnToContents(c);
    const QString where = text(root_.string());
    if (hubModels + ggufModels == 0)
        note_->setText(tr("No models in the Hugging Face cache (%1), Ollama's store or LM Studio's folders yet. Download one, "
                          "or open a model folder or GGUF file.")
                           .arg(where));
    else
        note_->setText(ggufModels == 0 ? tr("Models in the Hugging Face cache (%1):").arg(where)
                                       : tr("Models in the Hugging Face cache (%1), Ollama's store (%2) and LM Studio's folders:")
                                             .arg(where, text(hub::ollamaRoot().string())));
    // The first openable model is selected, so Enter opens it.
    for (int i = 0; i < list_->topLevelItemCount(); ++i) {
        if (!list_->topLevelItem(i)->data(ModelColumn, kReferenceRole).toString().isEmpty()) {
            list_->setCurrentItem(list_->topLevelItem(i));
            break;
        }
    }
    open_->setEnabled(!selectedReference().isEmpty());
}

int CachedModelsDialog::listHubCache() {
    root_ = hub::cacheRoot();
    const auto models = hub::listCachedModels(root_);
    for (const hub::CachedModel& model : models) {
        auto* item = new QTreeWidgetItem(list_);
        const QString reference = text(model.reference());
        QStringList revisions;
        for (const auto& r : model.revisions) revisions << text(r);
        item->setText(ModelColumn, text(model.repo));
        item->setText(RevisionColumn, revisions.join(QStringLiteral(", ")));
        item->setText(CommitColumn, text(model.commit.substr(0, 10)));
        item->setText(SizeColumn, QLocale().formattedDataSize(static_cast<qint64>(model.bytes)));
        item->setTextAlignment(SizeColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(SourceColumn, tr("Hugging Face"));
        item->setToolTip(ModelColumn, text(model.snapshot.string()));
        item->setToolTip(CommitColumn, text(model.commit));
        if (model.present.complete()) {
            item->setData(ModelColumn, kReferenceRole, reference);
        } else {
            // Listed so the user sees why it is missing from the openable ones.
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
            item->setToolTip(ModelColumn, tr("Incomplete: no %1 in %2")
                                              .arg(model.present.config ? tr("weights") : tr("config.json"),
                                                   text(model.snapshot.string())));
        }
    }
    return static_cast<int>(models.size());
}

// Ollama's models (NAME:TAG, opened as ollama:NAME:TAG) and LM Studio's files (PUBLISHER/MODEL
// and the file, opened by path).
int CachedModelsDialog::listGgufStores() {
    std::vector<hub::LocalGguf> models = hub::ollamaModels(hub::ollamaRoot());
    for (const auto& root : hub::lmStudioRoots())
        for (auto& m : hub::lmStudioModels(root)) models.push_back(std::move(m));
    for (const hub::LocalGguf& model : models) {
        auto* item = new QTreeWidgetItem(list_);
        const bool ollama = model.store == "Ollama";
        const std::string name = ollama ? model.name : std::filesystem::path(model.name).parent_path().generic_string();
        const std::size_t colon = ollama ? model.name.rfind(':') : std::string::npos;
        item->setText(ModelColumn, text(colon == std::string::npos ? name : name.substr(0, colon)));
        item->setText(RevisionColumn, text(colon == std::string::npos ? model.file.filename().string() : name.substr(colon + 1)));
        // Ollama's blob is named by its digest (sha256-HEX): the id of that version.
        const std::string blob = model.file.filename().string();
        if (ollama && blob.rfind("sha256-", 0) == 0) {
            item->setText(CommitColumn, text(blob.substr(7, 10)));
            item->setToolTip(CommitColumn, text(blob.substr(7)));
        }
        std::error_code ec;
        const auto bytes = std::filesystem::file_size(model.file, ec);
        item->setText(SizeColumn, ec ? QString() : QLocale().formattedDataSize(static_cast<qint64>(bytes)));
        item->setTextAlignment(SizeColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(SourceColumn, text(model.store));
        item->setToolTip(ModelColumn, text(model.file.string()));
        item->setData(ModelColumn, kReferenceRole, text(ollama ? hub::kOllamaPrefix + model.name : model.file.string()));
    }
    return static_cast<int>(models.size());
}

QString CachedModelsDialog::selectedReference() const {
    const QList<QTreeWidgetItem*> selected = list_->selectedItems();
    return selected.isEmpty() ? QString() : selected.front()->data(ModelColumn, kReferenceRole).toString();
}

void CachedModelsDialog::openSelected() {
    const QString reference = selectedReference();
    if (reference.isEmpty()) return;
    accept();
    emit modelChosen(reference);
}

}  // namespace attnscope::ui
