#pragma once
#include <QImage>

#include "vision/RgbImage.h"

namespace attnscope::ui {

// The engine's RGB8 image (what a model saw, core/vision) as a QImage (a deep copy); a null
// image for an empty one.
QImage toQImage(const RgbImage& image);

}  // namespace attnscope::ui
