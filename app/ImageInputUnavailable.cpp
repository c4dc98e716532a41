// Built without the Qt GUI libraries (ATTNSCOPE_BUILD_GUI=OFF): no image readers.
#include "CliCommands.h"
#include "ImageInput.h"

namespace cli {

attnscope::RgbImage loadImage(const std::string&) {
    throw UsageError("--image: this attnscope-cli was built without Qt's image readers; use --pixel-values");
}

}  // namespace cli
