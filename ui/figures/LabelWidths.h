#pragma once
#include <QStringList>

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace attnscope::ui::figure {

// The advance widths of a list of labels in the figure font, measured once per pixel size
// and kept (layouts run on every paint and hit test). Thread-safe; cheap to copy.
class LabelWidths {
public:
    LabelWidths() = default;
    explicit LabelWidths(QStringList labels);

    int size() const { return static_cast<int>(labels_.size()); }
    // Widths of every label at `pixels` (rounded to whole pixels, as figure::font does).
    const std::vector<double>& at(double pixels, bool bold = false) const;
    // The widest of labels [first, first + count).
    double widest(double pixels, int first = 0, int count = -1, bool bold = false) const;

private:
    QStringList labels_;
    struct Cache {
        std::mutex mutex;
        std::map<int, std::unique_ptr<std::vector<double>>> widths;  // key: pixels * 2 + bold
    };
    std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

}  // namespace attnscope::ui::figure
