#pragma once
#include <string>

#include "vision/RgbImage.h"

namespace cli {

// Decodes an image file for a vision model (Qt's image readers, via the UI library).
// Throws attnscope::Error for bad files, cli::UsageError when built without Qt Gui.
attnscope::RgbImage loadImage(const std::string& path);

}  // namespace cli
