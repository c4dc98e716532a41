#include "CachedModelsDialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "hub/HubCache.h"

namespace attnscope::ui {

namespace {

enum Column { ModelColumn, RevisionColumn, CommitColumn, SizeColumn };
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
    list_->setHeaderLabels({tr("Model"), tr("Revision"), tr("Commit"), tr("Size")});
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
    download_ = buttons->addButton(tr("&Download…"), QDialogButtonBox::ActionRole);
    download_->setToolTip(tr("Download a model from the Hugging Face hub into the cache"));
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(open_, &QPushButton::clicked, this, &CachedModelsDialog::openSelected);
    connect(folder_, &QPushButton::clicked, this, [this] {
        accept();
        emit folderRequested();
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
    resize(640, 360);
    refresh();
}

void CachedModelsDialog::refresh() {
    root_ = hub::cacheRoot();
    list_->clear();
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
    for (int c = RevisionColumn; c <= SizeColumn; ++c) list_->resizeColumnToContents(c);
    const QString where = text(root_.string());
    note_->setText(models.empty() ? tr("No models in the Hugging Face cache (%1) yet. Download one, or open a model "
                                       "folder.")
                                        .arg(where)
                                  : tr("Models in the Hugging Face cache (%1):").arg(where));
    // The first openable model is selected, so Enter opens it.
    for (int i = 0; i < list_->topLevelItemCount(); ++i) {
        if (!list_->topLevelItem(i)->data(ModelColumn, kReferenceRole).toString().isEmpty()) {
            list_->setCurrentItem(list_->topLevelItem(i));
            break;
        }
    }
    open_->setEnabled(!selectedReference().isEmpty());
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
