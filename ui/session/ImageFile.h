#pragma once
#include <QString>

#include "vision/RgbImage.h"

namespace attnscope::ui {

// The largest image we decode: far above any model's input size, small enough that a file
// claiming absurd dimensions is refused before any pixel buffer is allocated.
constexpr qint64 kMaxImagePixels = 64LL * 1024 * 1024;

// Decodes an image file with Qt's image readers (PNG, JPEG, BMP, WebP where the plugin is
// installed) into the engine's RGB8 form. Alpha is dropped and grey is replicated, as
// PIL's convert("RGB") does. Throws attnscope::Error naming the file: unreadable,
// undecodable or truncated, or too large (checked from the header, before decoding).
RgbImage loadImageFile(const QString& path);

}  // namespace attnscope::ui
