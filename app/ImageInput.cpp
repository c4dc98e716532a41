#include "ImageInput.h"

#include <QString>

#include "ImageFile.h"

namespace cli {

attnscope::RgbImage loadImage(const std::string& path) { return attnscope::ui::loadImageFile(QString::fromStdString(path)); }

}  // namespace cli
