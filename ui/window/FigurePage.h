#pragma once
#include <QString>

namespace attnscope::ui {

// A tab with a figure of its own beside the attention views (the logit lens, the attribution,
// the inside of a head): what File ▸ Export and Copy Figure need of it while it is shown.
class FigurePage {
public:
    virtual ~FigurePage() = default;
    virtual bool isShown() const = 0;
    virtual QString figureName() const = 0;  // "logit lens", for the export dialog and hints
    virtual QString fileStem() const = 0;    // "logit-lens", after the model's name in a suggested file name
    // PNG, SVG or PDF; throws attnscope::Error when there is nothing to export yet or for NPY.
    virtual void exportTo(const QString& path, int longSide) const = 0;
    virtual void copyToClipboard() const = 0;
};

}  // namespace attnscope::ui
