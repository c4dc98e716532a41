#include "ImageFile.h"

#include <QFileInfo>
#include <QImage>
#include <QImageReader>

#include "Error.h"

namespace attnscope::ui {

RgbImage loadImageFile(const QString& path) {
    const std::string where = path.toStdString();
    if (!QFileInfo(path).isFile()) throw Error(where + ": no such image file");
    QImageReader reader(path);
    reader.setAutoTransform(false);  // pixels as stored, as PIL.Image.open gives them
    const QSize size = reader.size();
    if (size.isValid() && static_cast<qint64>(size.width()) * size.height() > kMaxImagePixels)
        throw Error(where + ": image claims " + std::to_string(size.width()) + " x " + std::to_string(size.height()) +
                    " pixels, more than the " + std::to_string(kMaxImagePixels) + " AttnScope decodes");
    if (!reader.canRead())
        throw Error(where + ": not an image Qt can decode (" + reader.errorString().toStdString() + ")");
    // Qt's own allocation limit, in megabytes, as a second guard for formats without a size header.
    QImageReader::setAllocationLimit(static_cast<int>(kMaxImagePixels * 4 / (1024 * 1024)) + 1);
    QImage image = reader.read();
    if (image.isNull())
        throw Error(where + ": cannot decode the image (" + reader.errorString().toStdString() + "; truncated or corrupt?)");
    image = image.convertToFormat(QImage::Format_RGBA8888);  // straight (not premultiplied) alpha
    RgbImage out;
    out.width = image.width();
    out.height = image.height();
    out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * 3);
    for (int y = 0; y < out.height; ++y) {
        const uchar* line = image.constScanLine(y);
        std::uint8_t* dst = out.pixels.data() + static_cast<std::size_t>(y) * out.width * 3;
        for (int x = 0; x < out.width; ++x) {
            dst[3 * x + 0] = line[4 * x + 0];
            dst[3 * x + 1] = line[4 * x + 1];
            dst[3 * x + 2] = line[4 * x + 2];
        }
    }
    return out;
}

}  // namespace attnscope::ui
