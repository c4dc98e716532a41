#pragma once
#include <QString>

#include <memory>

namespace attnscope::ui {

struct Analysis;

// An analysis read from an attention file (core/io/AttentionFile.h) instead of computed: for
// models that ran elsewhere. Token names come from the file; a vision file (pixel_values and
// a square patch grid after its leading special tokens) gets its image and patch grid, so the
// overlay works too. Reads the whole file, so call it off the GUI thread. Throws
// attnscope::Error for a file that is not a valid attention file.
std::shared_ptr<Analysis> analysisFromAttentionFile(const QString& path);

}  // namespace attnscope::ui
