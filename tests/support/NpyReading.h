#pragma once
// Reads the float32 NPY files that exports and `render --out X.npy` write, for tests: the
// header, the shape, the values, and whether the file is what NPY 1.0 readers accept as a
// little-endian C-order float32 array with the header padded to 64 bytes.
#include <QByteArray>
#include <QFile>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace fixtures {

struct NpyFile {
    std::string header;
    std::vector<std::int64_t> shape;
    std::vector<float> values;
    std::size_t dataOffset = 0;
    bool ok = false;  // magic, version 1.0, '<f4', C order, data 64-byte aligned
};

inline NpyFile readNpy(const QString& path) {
    NpyFile npy;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return npy;
    const QByteArray bytes = file.readAll();
    if (bytes.size() < 10 || !bytes.startsWith(QByteArray("\x93NUMPY\x01\x00", 8))) return npy;
    const int length = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    npy.header = bytes.mid(10, length).toStdString();
    npy.dataOffset = 10 + static_cast<std::size_t>(length);
    const auto open = npy.header.find("'shape': (");
    const auto close = npy.header.find(')', open);
    if (open == std::string::npos || close == std::string::npos) return npy;
    for (const QString& d : QString::fromStdString(npy.header.substr(open + 10, close - open - 10)).split(',', Qt::SkipEmptyParts))
        npy.shape.push_back(d.trimmed().toLongLong());
    npy.values.resize((static_cast<std::size_t>(bytes.size()) - npy.dataOffset) / sizeof(float));
    std::memcpy(npy.values.data(), bytes.constData() + npy.dataOffset, npy.values.size() * sizeof(float));
    npy.ok = npy.dataOffset % 64 == 0 && npy.header.find("'descr': '<f4'") != std::string::npos &&
             npy.header.find("'fortran_order': False") != std::string::npos;
    return npy;
}

}  // namespace fixtures
