#include "ExportDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "FigureExporter.h"

namespace attnscope::ui {

ExportDialog::ExportDialog(const QString& viewName, const QString& suggestedPath, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Export Figure"));
    path_ = new QLineEdit(suggestedPath, this);
    path_->setObjectName(QStringLiteral("exportPath"));
    path_->setMinimumWidth(360);
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse);

    content_ = new QComboBox(this);
    content_->setObjectName(QStringLiteral("exportContent"));
    content_->addItem(tr("This view (%1)").arg(viewName), false);
    content_->addItem(tr("Every layer × head (model grid)"), true);

    longSide_ = new QSpinBox(this);
    longSide_->setObjectName(QStringLiteral("exportLongSide"));
    longSide_->setRange(64, kMaxExportPixels);
    longSide_->setSingleStep(100);
    longSide_->setValue(2000);
    longSide_->setSuffix(tr(" px"));
    longSide_->setToolTip(tr("Length of the image's longer side; the whole figure is scaled, never cropped"));

    note_ = new QLabel(this);
    note_->setWordWrap(true);
    note_->setForegroundRole(QPalette::PlaceholderText);

    buttons_ = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout;
    auto* pathLabel = new QLabel(tr("&File"), this);
    pathLabel->setBuddy(path_);  // a row holding a layout gets no buddy by itself
    form->addRow(pathLabel, pathRow);
    form->addRow(tr("&What"), content_);
    form->addRow(tr("PNG &size (longer side)"), longSide_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note_);
    layout->addWidget(buttons_);

    connect(path_, &QLineEdit::textChanged, this, &ExportDialog::updateForFormat);
    updateForFormat();
}

ExportChoice ExportDialog::choice() const {
    return ExportChoice{path_->text().trimmed(), content_->currentData().toBool(), longSide_->value()};
}

void ExportDialog::browse() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Figure"), path_->text(),
        tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;NumPy matrix (*.npy)"));
    if (!path.isEmpty()) path_->setText(path);
}

void ExportDialog::updateForFormat() {
    const QString suffix = QFileInfo(path_->text().trimmed()).suffix().toLower();
    const bool known = QStringList{"png", "svg", "pdf", "npy"}.contains(suffix);
    longSide_->setEnabled(suffix == QLatin1String("png"));
    content_->setEnabled(suffix != QLatin1String("npy"));
    if (!known) note_->setText(tr("End the file name with .png, .svg, .pdf or .npy to choose the format."));
    else if (suffix == QLatin1String("npy")) note_->setText(tr("NPY holds the displayed matrix as float32 [queries, keys], after aggregation, rollout and hard selection."));
    else if (suffix == QLatin1String("png")) note_->setText(tr("A bitmap of the whole figure at the chosen size."));
    else note_->setText(tr("Vector shapes with the token labels as text."));
    buttons_->button(QDialogButtonBox::Save)->setEnabled(known);
}

}  // namespace attnscope::ui
