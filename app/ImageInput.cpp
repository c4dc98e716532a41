#include "ImageInput.h"

#include <QString>

#include "ImageFile.h"
#include "StderrSilenced.h"

namespace cli {

attnscope::RgbImage loadImage(const std::string& path) {
    const StderrSilenced quiet;
    return attnscope::ui::loadImageFile(QString::fromStdString(path));
}

}  // namespace cli
