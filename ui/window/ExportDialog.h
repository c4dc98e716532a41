#pragma once
#include <QDialog>

#include "ViewExport.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace attnscope::ui {

// Asks where and how to export: the file (its suffix picks PNG, SVG, PDF or NPY), the
// current view or the whole layer x head grid, and for PNG the size of the longer side.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    // `viewName` names the current view in the "what" chooser ("matrix", "head view", ...).
    ExportDialog(const QString& viewName, const QString& suggestedPath, QWidget* parent = nullptr);

    ExportChoice choice() const;

private:
    void browse();
    void updateForFormat();

    QLineEdit* path_;
    QComboBox* content_;
    QSpinBox* longSide_;
    QLabel* note_;
    QDialogButtonBox* buttons_;
};

}  // namespace attnscope::ui
