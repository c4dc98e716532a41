#pragma once
#include <QImage>

#include "model/ForwardResult.h"
#include "vision/ImagePreprocessor.h"
#include "vision/RgbImage.h"

namespace attnscope::ui {

// The pictures a vision view draws: what the model saw, in 8 bits, never the file itself
// (which may be larger, another shape, or in colour for a grey model).

// The engine's RGB8 image as a QImage (a deep copy).
QImage toQImage(const RgbImage& image);

// A decoded image as the model sees it: grey first for a one-channel model (as the
// preprocessor does), then resized and centre-cropped by the checkpoint's preprocessor.
QImage modelInputImage(const RgbImage& decoded, const ImagePreprocessor& preprocessor, int channels);

// Ready pixel values (a tensor file, with no image file behind it) turned back into 8-bit
// pixels by undoing the preprocessor's normalisation and rescaling, for display only.
// One channel is shown grey; values outside [0, 255] are clamped.
QImage imageFromPixelValues(const PixelValues& pixels, const ImagePreprocessor& preprocessor);

}  // namespace attnscope::ui
